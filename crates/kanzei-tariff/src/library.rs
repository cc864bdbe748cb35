//! The scenarios kanzei ships (compiled in from `scenarios/`), and loading scenarios by id or
//! from a user's file.

use kanzei_core::AreaRegistry;
use kanzei_data::tariff_inputs::TariffInputs;

use crate::scenario::{self, Scenario, ScenarioError, ScenarioLibrary, Vocabulary};

/// Shipped scenarios: (id, file, text).
pub const SHIPPED: &[(&str, &str, &str)] = &[
    ("us-2024-baseline", "scenarios/us-2024-baseline.toml", include_str!("../../../scenarios/us-2024-baseline.toml")),
    ("us-2025", "scenarios/us-2025.toml", include_str!("../../../scenarios/us-2025.toml")),
    ("what-if/japan-exempt", "scenarios/what-if/japan-exempt.toml", include_str!("../../../scenarios/what-if/japan-exempt.toml")),
    ("what-if/japan-24pct", "scenarios/what-if/japan-24pct.toml", include_str!("../../../scenarios/what-if/japan-24pct.toml")),
    (
        "what-if/no-usmca-carve-out",
        "scenarios/what-if/no-usmca-carve-out.toml",
        include_str!("../../../scenarios/what-if/no-usmca-carve-out.toml"),
    ),
    ("retaliation/china-2025", "scenarios/retaliation/china-2025.toml", include_str!("../../../scenarios/retaliation/china-2025.toml")),
    ("retaliation/canada-2025", "scenarios/retaliation/canada-2025.toml", include_str!("../../../scenarios/retaliation/canada-2025.toml")),
];

/// Shipped scenarios plus any the user supplies.
#[derive(Clone, Debug, Default)]
pub struct Library {
    extra: Vec<(String, String, String)>,
}

impl Library {
    /// The shipped scenarios only.
    pub fn shipped() -> Library {
        Library::default()
    }

    /// Adds a user scenario (its id is read from the text when it is parsed; `id` here lets
    /// other user files `extends` it).
    pub fn add(&mut self, id: &str, file: &str, text: &str) {
        self.extra.push((id.to_string(), file.to_string(), text.to_string()));
    }

    /// Parses a scenario by id.
    pub fn load(&self, id: &str, vocab: &Vocabulary<'_>) -> Result<Scenario, ScenarioError> {
        match self.source(id) {
            Some((file, text)) => scenario::parse(&file, &text, vocab, self),
            None => Err(ScenarioError::new(
                "<command line>",
                1,
                "--scenario",
                format!(
                    "no scenario `{id}`; shipped scenarios: {} (or give a path to a .toml file)",
                    self.ids().iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    /// Parses a scenario from a user's file as read (bytes that are not UTF-8 are an error
    /// with line and byte offset).
    pub fn load_bytes(&self, file: &str, bytes: &[u8], vocab: &Vocabulary<'_>) -> Result<Scenario, ScenarioError> {
        scenario::parse_bytes(file, bytes, vocab, self)
    }

    /// Parses a scenario from text (a user's file).
    pub fn load_text(&self, file: &str, text: &str, vocab: &Vocabulary<'_>) -> Result<Scenario, ScenarioError> {
        scenario::parse(file, text, vocab, self)
    }
}

impl ScenarioLibrary for Library {
    fn source(&self, id: &str) -> Option<(String, String)> {
        self.extra
            .iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, f, t)| (f.clone(), t.clone()))
            .or_else(|| SHIPPED.iter().find(|(i, _, _)| *i == id).map(|(_, f, t)| (f.to_string(), t.to_string())))
    }

    fn ids(&self) -> Vec<String> {
        SHIPPED.iter().map(|(i, _, _)| i.to_string()).chain(self.extra.iter().map(|(i, _, _)| i.clone())).collect()
    }
}

/// What scenarios may name: the registry, and the lists and tables in the tariff inputs.
pub fn vocabulary<'a>(registry: &'a AreaRegistry, inputs: &TariffInputs) -> Vocabulary<'a> {
    Vocabulary { registry, lists: inputs.lists.keys().cloned().collect(), tables: inputs.tables.keys().cloned().collect() }
}
