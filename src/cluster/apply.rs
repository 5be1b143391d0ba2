//! Applies a [`Command`] to the cluster: the one entry point the UI, scenarios and listener share.

use super::command::Command;
use super::event::EventKind;
use super::lab::Cluster;

impl Cluster {
    /// Carries out a command; a refusal comes back as a message and is also put on the event stream.
    pub fn apply(&mut self, command: Command) -> Result<(), String> {
        let result = match command {
            Command::KillBroker(id) => self.kill_broker(id),
            Command::ShutdownBroker(id) => self.shutdown_broker(id),
            Command::RestartBroker(id) => self.restart_broker(id),
            Command::SetBrokerSlow(id, slow) => self.set_broker_slow(id, slow),
            Command::CreateTopic(spec) => {
                let name = spec.name.clone();
                self.create_topic(spec)
                    .map_err(|e| format!("cannot create topic {name}: {e}"))
            }
            Command::SpawnProducer(spec) => self.spawn_producer(spec).map(|_| ()),
            Command::SetProducerRate(id, rate) => self.set_producer_rate(id, rate),
            Command::StopProducer(id) => self.stop_producer(id),
            Command::SpawnConsumer(spec) => self.spawn_consumer(spec).map(|_| ()),
            Command::KillConsumer(id) => self.kill_consumer(id),
            Command::CloseConsumer(id) => self.close_consumer(id),
            Command::SetSpeed(speed) => {
                self.speed = speed;
                Ok(())
            }
            Command::SetPaused(paused) => {
                self.paused = paused;
                Ok(())
            }
            Command::Note(text) => {
                self.emit(EventKind::Note { text });
                Ok(())
            }
            Command::LessonNext | Command::LessonRestart => Err("no lesson is running".into()),
        };
        if let Err(msg) = &result {
            self.emit(EventKind::Note {
                text: format!("refused: {msg}"),
            });
        }
        result
    }
}
