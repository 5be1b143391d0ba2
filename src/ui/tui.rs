//! Terminal setup and teardown: raw mode, alternate screen, mouse capture, and a panic hook that
//! restores the terminal before the panic message prints.

use anyhow::{Context, Result};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};

/// The real terminal.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Enters raw mode and the alternate screen, captures the mouse, and installs the panic hook.
pub fn init() -> Result<Tui> {
    install_panic_hook();
    enable_raw_mode().context("cannot put the terminal in raw mode (is stdout a terminal?)")?;
    if let Err(e) = execute!(stdout(), EnterAlternateScreen, EnableMouseCapture) {
        restore();
        return Err(e).context("cannot switch to the alternate screen");
    }
    match Terminal::new(CrosstermBackend::new(stdout())) {
        Ok(t) => Ok(t),
        Err(e) => {
            restore();
            Err(e).context("cannot set up the terminal")
        }
    }
}

/// Leaves the alternate screen, releases the mouse and raw mode, shows the cursor. Safe to call
/// more than once.
pub fn restore() {
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

fn install_panic_hook() {
    install_panic_hook_with(restore);
}

/// Chains a panic hook that runs `restore` first, then the previous hook (which prints the
/// message), so the message lands on the normal screen rather than in the alternate one.
pub fn install_panic_hook_with(restore: fn()) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::thread::ThreadId;

    static LOG: Mutex<Vec<(ThreadId, &'static str)>> = Mutex::new(Vec::new());

    fn log(what: &'static str) {
        if let Ok(mut l) = LOG.lock() {
            l.push((std::thread::current().id(), what));
        }
    }

    #[test]
    fn panic_hook_restores_the_terminal_before_the_message_prints() {
        let me = std::thread::current().id();
        let original = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| log("message")));
        install_panic_hook_with(|| log("restore"));
        let caught = std::panic::catch_unwind(|| panic!("boom"));
        let _ = std::panic::take_hook();
        std::panic::set_hook(original);
        assert!(caught.is_err());
        let mine: Vec<&str> = LOG
            .lock()
            .map(|l| {
                l.iter()
                    .filter(|(t, _)| *t == me)
                    .map(|(_, w)| *w)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(mine, ["restore", "message"]);
    }
}
