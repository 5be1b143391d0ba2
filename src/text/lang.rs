//! The languages the lab speaks, and how one is chosen: `--lang`, else the locale variables.

use std::fmt;
use std::str::FromStr;

/// A language with a catalogue under `assets/text/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the fallback of every other language.
    #[default]
    En,
    /// Simplified Chinese, the language of the source article.
    Zh,
}

impl Lang {
    /// Every language, in the order `--help` and errors list them.
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::Zh];

    /// The code `--lang` takes and the catalogue file is named after (`zh` → `zh.toml`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language a locale value names (`zh_CN.UTF-8`, `zh_TW`, `en_US`), if one we speak.
    pub fn from_locale(value: &str) -> Option<Lang> {
        let v = value.to_ascii_lowercase();
        if v.starts_with("zh") {
            Some(Lang::Zh)
        } else if v.starts_with("en") || v == "c" || v == "posix" || v.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of the environment as POSIX orders it (`LC_ALL`, `LC_MESSAGES`, `LANG`):
    /// the first non-empty variable decides; English when it names no language we speak.
    /// Pure over `get` so tests need not touch the process environment.
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| get(k).filter(|v| !v.is_empty()))
            .next()
            .and_then(|v| Lang::from_locale(&v))
            .unwrap_or_default()
    }

    /// The language of this process's environment.
    pub fn from_env() -> Lang {
        Lang::from_env_with(|k| std::env::var(k).ok())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::ALL
            .iter()
            .copied()
            .find(|l| l.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let codes: Vec<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
                format!(
                    "unknown language '{s}': kafka-lab speaks {}",
                    codes.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_codes_parse_and_unknown_ones_list_the_languages() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        let err = "fr".parse::<Lang>().unwrap_err();
        assert!(err.contains("'fr'") && err.contains("en, zh"), "{err}");
    }

    #[test]
    fn the_first_set_locale_variable_decides() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Lang::from_env_with(env(&[("LANG", "zh_CN.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LC_ALL", ""), ("LC_MESSAGES", "zh_TW")])),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_env_with(env(&[("LANG", "de_DE.UTF-8")])),
            Lang::En
        );
        assert_eq!(Lang::from_env_with(env(&[])), Lang::En);
    }
}
