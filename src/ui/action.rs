//! `Action`: everything the dashboard can be asked to do, from a key, a mouse click or a resize.

/// One user intent, decoded from input by the keymap; [`crate::ui::app::update`] applies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the dashboard.
    Quit,
    /// Show or hide the key help overlay.
    ToggleHelp,
    /// Open (or close) the explanation of the focused panel's selected row or event.
    Explain,
    /// Open the selected partition's replica-log view, or close it.
    ToggleLogView,
    /// Show or hide the open transactions overlay.
    ToggleTransactions,
    /// Focus the next panel.
    FocusNext,
    /// Focus the previous panel.
    FocusPrev,
    /// Move the selection up (older events in the timeline).
    Up,
    /// Move the selection down (newer events in the timeline).
    Down,
    /// Move the selection a page up.
    PageUp,
    /// Move the selection a page down.
    PageDown,
    /// Select the first row (oldest event).
    Top,
    /// Select the last row (newest event).
    Bottom,
    /// Open the spawn-producer dialog.
    SpawnProducer,
    /// Stop the selected producer (close: what it sent is acknowledged first).
    StopProducer,
    /// Open the spawn-consumer dialog for the selected group.
    SpawnConsumer,
    /// Crash the selected consumer (no LeaveGroup).
    KillConsumer,
    /// Close the selected consumer gracefully (LeaveGroup).
    CloseConsumer,
    /// Open the reset-offsets dialog for the selected group (after it, a confirmation).
    ResetOffsets,
    /// Grow the selected partition's topic by one partition (after confirmation).
    AddPartition,
    /// Delete the selected partition's topic (after confirmation).
    DeleteTopic,
    /// Crash the selected broker.
    KillBroker,
    /// Controlled shutdown of the selected broker.
    ShutdownBroker,
    /// Restart the selected broker.
    RestartBroker,
    /// Crash the active KRaft controller.
    KillController,
    /// Restart a stopped KRaft controller (the lowest id).
    RestartController,
    /// Open the create-topic dialog.
    CreateTopic,
    /// Raise the selected producer's rate one step.
    RateUp,
    /// Lower the selected producer's rate one step.
    RateDown,
    /// Pause or resume simulated time.
    TogglePause,
    /// Halve simulated-time speed.
    Slower,
    /// Double simulated-time speed.
    Faster,
    /// Show or hide routine timeline lines (HW advances, commits, internal topics).
    ToggleRoutine,
    /// Show only the next kind of event on the timeline (all → election → … → all).
    CycleTimelineKind,
    /// Show or hide internal topics (`__consumer_offsets`) in the partition tables.
    ToggleInternal,
    /// Open the tables' filter line (`/`).
    Filter,
    /// A left click at a terminal cell.
    Click {
        /// Column of the cell.
        column: u16,
        /// Row of the cell.
        row: u16,
    },
    /// One tick of the UI's own clock (every [`crate::ui::run::TICK`]).
    Tick,
    /// The terminal changed size.
    Resize {
        /// New width in cells.
        width: u16,
        /// New height in cells.
        height: u16,
    },
    /// A character typed into a dialog field.
    Input(char),
    /// Delete the last character of the dialog field.
    Backspace,
    /// Move to the next dialog field.
    NextField,
    /// Move to the previous dialog field.
    PrevField,
    /// Submit the dialog.
    Submit,
    /// Cancel the dialog or close the overlay.
    Cancel,
    /// Show the run one simulated second earlier (the live lab pauses meanwhile).
    BackSecond,
    /// Show the run one simulated second later (past now: live again).
    ForwardSecond,
    /// Show the run ten simulated seconds earlier.
    BackTenSeconds,
    /// Show the run ten simulated seconds later.
    ForwardTenSeconds,
    /// Show the run at the instant of the timeline's selected event.
    JumpToEvent,
    /// Undo the last fault or destructive action: rewind to just before it and resume.
    Undo,
    /// Lessons: run the step waiting for `n`.
    LessonNext,
    /// Lessons: start the lesson over on a fresh lab.
    LessonRestart,
}
