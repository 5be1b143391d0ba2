//! `--help` in the chosen language. clap's help comes from the doc comments in `main.rs`
//! (English); for another language every argument's and subcommand's help, the headings and the
//! defaults are replaced from `[cli_help]` in the catalogue. English is left as clap writes it.

use clap::Command;
use kafka_lab::cluster::config::{KAFKA_VERSION, Profile, table};
use kafka_lab::text::{Lang, catalogue_of, fill};

/// The flags whose help names each profile's value of a broker config.
const PROFILE_ARGS: &[(&str, &str)] = &[
    ("replica_lag_time_max_ms", "replica.lag.time.max.ms"),
    ("broker_session_timeout_ms", "broker.session.timeout.ms"),
    ("segment_bytes", "log.segment.bytes"),
];

/// The catalogue's text for `key` in `lang`, if any language has it.
fn get(lang: Lang, key: &str) -> Option<&'static str> {
    catalogue_of(lang).get(key)
}

/// A flag's help naming the value each profile gives `config` (from the one config table).
pub fn profile_help_in(lang: Lang, what: &str, config: &str) -> String {
    let t = table::profile_value(Profile::Teaching, config).unwrap_or_default();
    let k = table::profile_value(Profile::Kafka, config).unwrap_or_default();
    let key = if t == k {
        "cli_help.profile_same"
    } else {
        "cli_help.profile_differs"
    };
    let template = get(lang, key).unwrap_or_default();
    fill(template, &[("what", what), ("t", &t), ("k", &k)])
}

/// `cmd` with its help in `lang` (unchanged in English).
pub fn localise(mut cmd: Command, lang: Lang) -> Command {
    if lang == Lang::En {
        return cmd;
    }
    // Built first so clap's own `help` flag and subcommand exist and can be reworded.
    cmd.build();
    localise_in(cmd, lang, None)
}

fn localise_in(mut cmd: Command, lang: Lang, sub: Option<&str>) -> Command {
    let at = |what: &str| match sub {
        Some(s) => format!("cli_help.{s}.{what}"),
        None => format!("cli_help.{what}"),
    };
    if let Some(about) = get(lang, &at("about")) {
        cmd = cmd.about(about).long_about(about);
    }
    if let Some(long) = get(lang, &at("long_about")) {
        cmd = cmd.long_about(fill(long, &[("version", KAFKA_VERSION)]));
    }
    if let Some(usage) = get(lang, "cli_help.usage") {
        cmd = cmd.help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{usage}{{usage}}\n\n{{all-args}}{{after-help}}"
        ));
    }
    if let Some(h) = get(lang, "cli_help.commands") {
        cmd = cmd.subcommand_help_heading(h);
    }
    let options = get(lang, "cli_help.options").unwrap_or_default();
    let arguments = get(lang, "cli_help.arguments").unwrap_or_default();
    let default_word = get(lang, "cli_help.default").unwrap_or_default();
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let own = sub.and_then(|s| get(lang, &format!("cli_help.{s}.{id}")));
        let help = own.or_else(|| get(lang, &format!("cli_help.arg.{id}")));
        let profile = PROFILE_ARGS.iter().find(|(a, _)| *a == id);
        cmd = cmd.mut_arg(id.as_str(), |mut a| {
            let help = match (help, profile) {
                (Some(what), Some((_, config))) => Some(profile_help_in(lang, what, config)),
                (help, _) => help.map(str::to_string),
            };
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if let Some(mut h) = help {
                // As clap does: a flag's `false` is not worth saying.
                if !defaults.is_empty()
                    && a.get_action().takes_values()
                    && !a.is_hide_default_value_set()
                {
                    h = format!("{h} [{default_word}{}]", defaults.join(", "));
                    a = a.hide_default_value(true);
                }
                a = a.help(h.clone()).long_help(h);
            }
            if a.get_help_heading().is_none() {
                let heading = if a.is_positional() {
                    arguments
                } else {
                    options
                };
                a = a.help_heading(heading);
            }
            a
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name.as_str(), |s| localise_in(s, lang, Some(&name)));
    }
    cmd
}
