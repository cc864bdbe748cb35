//! Elasticities with their provenance.
//!
//! A model result is only as good as its elasticities, and published sets disagree by
//! factors of ten, so every value handed to a model carries where it came from: the set
//! (Broda & Weinstein 2006, Hauk 2012, Fontagné, Guimbard & Orefice 2022, a user override
//! or a documented default), the code it was published for and that code's vintage, how
//! far up the HS hierarchy the lookup had to go, and any flag the publisher or kanzei
//! attached (wrong sign, not significant, imputed, vintage mismatch).
//!
//! The models themselves take plain numbers ([`crate::smart::SmartElasticities`]);
//! [`ProductElasticities::smart`] strips the provenance at the last moment, and
//! [`ElasticityPanel`] keeps the numbers in a flat vector beside their sources so a run over
//! every product stays allocation-free.
//!
//! Sign conventions follow the models: `Em <= 0`, `Es >= 0`, `Ex >= 0` (infinite allowed).
//! Resolving codes to elasticities from the staged data sets is done in
//! `kanzei_data::elasticities`; this module has no knowledge of files.
//!
//! # References
//! * Broda, C. & Weinstein, D. (2006) "Globalization and the Gains from Variety", QJE 121(2).
//! * Hauk, W. (2012) "U.S. Import and Export Elasticities: A Panel Data Approach",
//!   Empirical Economics.
//! * Fontagné, L., Guimbard, H. & Orefice, G. (2022) "Product-Level Trade Elasticities",
//!   Journal of International Economics 137, 103593.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::PeError;
use crate::smart::SmartElasticities;

pub use kanzei_core::elasticity::ElasticityKind;

/// Where an elasticity value came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ElasticitySource {
    /// The set, citable: "Hauk (2012), U.S. import demand, HS10".
    pub set: String,
    /// The code the value was published for ("8703230000"), or the prefix averaged over.
    pub code: String,
    /// The nomenclature of that code ("HTS 1989–2001", "HS2007").
    pub vintage: String,
    /// How it was found: "exact HS10", "HS6", "HS4 median", "HS2 median", "override", "default".
    pub level: String,
    /// Flags, in words ("vintage mismatch assumed stable", "not significant at 10%").
    pub flags: Vec<String>,
}

impl ElasticitySource {
    /// One line for a table footnote.
    pub fn describe(&self) -> String {
        let mut text = format!("{} ({} {}, {})", self.set, self.vintage, self.code, self.level);
        if !self.flags.is_empty() {
            text.push_str("; ");
            text.push_str(&self.flags.join("; "));
        }
        text
    }
}

/// A value with its source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Elasticity {
    /// Which elasticity.
    pub kind: ElasticityKind,
    /// The value in the models' sign convention.
    pub value: f64,
    /// Where it came from.
    pub source: ElasticitySource,
}

impl Elasticity {
    /// A value with a source, checked against the sign convention of `kind`.
    pub fn new(kind: ElasticityKind, value: f64, source: ElasticitySource) -> Result<Elasticity, PeError> {
        kind.check(value).map_err(|message| {
            PeError::invalid(format!("elasticity {} from {} {}", kind.symbol(), source.set, source.code), message)
        })?;
        Ok(Elasticity { kind, value, source })
    }
}

/// The three elasticities one product uses, each with its source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProductElasticities {
    /// `Em`.
    pub em: Elasticity,
    /// `Es`.
    pub es: Elasticity,
    /// `Ex`.
    pub ex: Elasticity,
}

impl ProductElasticities {
    /// The plain numbers SMART takes.
    pub fn smart(&self) -> SmartElasticities {
        SmartElasticities { em: self.em.value, es: self.es.value, ex: self.ex.value }
    }

    /// The elasticity of one kind.
    pub fn get(&self, kind: ElasticityKind) -> &Elasticity {
        match kind {
            ElasticityKind::ImportDemand => &self.em,
            ElasticityKind::Substitution => &self.es,
            ElasticityKind::ExportSupply => &self.ex,
        }
    }
}

/// Elasticities for many products: the numbers in a flat vector for the models, the
/// sources beside them, deduplicated (many products share a default or an HS2 median).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ElasticityPanel {
    /// Numbers per product, in product order.
    pub values: Vec<SmartElasticities>,
    /// Per product, indices into `sources` for `[Em, Es, Ex]`.
    pub source_of: Vec<[u32; 3]>,
    /// Distinct sources.
    pub sources: Vec<ElasticitySource>,
    /// Position of each source in `sources`.
    #[serde(skip)]
    index: HashMap<ElasticitySource, u32>,
}

impl ElasticityPanel {
    /// An empty panel.
    pub fn new() -> ElasticityPanel {
        ElasticityPanel::default()
    }

    /// Appends a product; returns its index.
    pub fn push(&mut self, product: &ProductElasticities) -> usize {
        let mut ids = [0u32; 3];
        for (slot, e) in ids.iter_mut().zip([&product.em, &product.es, &product.ex]) {
            *slot = match self.index.get(&e.source) {
                Some(&idx) => idx,
                None => {
                    let idx = self.sources.len() as u32;
                    self.sources.push(e.source.clone());
                    self.index.insert(e.source.clone(), idx);
                    idx
                }
            };
        }
        self.values.push(product.smart());
        self.source_of.push(ids);
        self.values.len() - 1
    }

    /// The source of one elasticity of one product.
    pub fn source(&self, product: usize, kind: ElasticityKind) -> &ElasticitySource {
        let slot = match kind {
            ElasticityKind::ImportDemand => 0,
            ElasticityKind::Substitution => 1,
            ElasticityKind::ExportSupply => 2,
        };
        &self.sources[self.source_of[product][slot] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(set: &str) -> ElasticitySource {
        ElasticitySource {
            set: set.into(),
            code: "870323".into(),
            vintage: "HS2007".into(),
            level: "HS6".into(),
            flags: vec!["vintage mismatch assumed stable".into()],
        }
    }

    #[test]
    fn signs_are_checked_with_exact_messages() {
        let err = Elasticity::new(ElasticityKind::ImportDemand, 1.2, source("Hauk (2012)")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "elasticity Em from Hauk (2012) 870323: 1.2 has the wrong sign; an import demand elasticity (Em) must be finite and <= 0"
        );
        assert!(Elasticity::new(ElasticityKind::ExportSupply, f64::INFINITY, source("default")).is_ok());
        assert_eq!(
            ElasticityKind::Substitution.check(f64::NAN).unwrap_err(),
            "NaN is not a number; a substitution elasticity (Es) must be finite and >= 0"
        );
        assert_eq!(ElasticityKind::parse("ES"), Some(ElasticityKind::Substitution));
        assert_eq!(ElasticityKind::parse("sigma"), None);
    }

    #[test]
    fn panel_deduplicates_sources() {
        let shared = source("default");
        let product = ProductElasticities {
            em: Elasticity::new(ElasticityKind::ImportDemand, -1.25, shared.clone()).unwrap(),
            es: Elasticity::new(ElasticityKind::Substitution, 7.9, source("ProTEE")).unwrap(),
            ex: Elasticity::new(ElasticityKind::ExportSupply, f64::INFINITY, shared).unwrap(),
        };
        let mut panel = ElasticityPanel::new();
        panel.push(&product);
        panel.push(&product);
        assert_eq!(panel.values.len(), 2);
        assert_eq!(panel.sources.len(), 2);
        assert_eq!(panel.source(1, ElasticityKind::Substitution).set, "ProTEE");
        assert_eq!(panel.values[0].es, 7.9);
        assert_eq!(
            panel.source(0, ElasticityKind::Substitution).describe(),
            "ProTEE (HS2007 870323, HS6); vintage mismatch assumed stable"
        );
    }
}
