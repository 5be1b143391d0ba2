//! Without a terminal on stdout (piped, redirected), a front end streams the timeline as text
//! until Ctrl-C or SIGTERM: the live lab and `kafka-lab attach` alike.

use kafka_lab::lab::driver::LabChannels;

/// Prints every event until the driver stops or Ctrl-C/SIGTERM arrives.
pub async fn stream_events(front: LabChannels) {
    let stop = kafka_lab::signals::stop_requested();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            ev = front.events.recv_async() => match ev {
                Ok(e) => println!("{e}"),
                Err(_) => break,
            },
        }
    }
}
