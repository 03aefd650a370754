//! The message catalogue of the reports and the terminal: Dutch (the default, the guide's
//! language) and English (`--lang en`).
//!
//! Every fixed text a person reads in `report.html`, the progress lines and the closing summary
//! comes from here: [`Msg`] for plain texts, the functions below for sentences with values.

use std::fmt;
use std::str::FromStr;

use crate::run::result::{Ensured, Status};

/// The language of reports and terminal messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// Nederlands (default).
    #[default]
    Nl,
    /// English.
    En,
}

impl Lang {
    /// A skip reason as this language says it: the robot's own (Dutch) reasons translated,
    /// a flow's own `skip_reason` as written.
    pub fn skip_reason<'a>(self, reason: &'a str) -> std::borrow::Cow<'a, str> {
        const OWN: [(&str, &str); 4] = [
            (
                "Niet uitgevoerd: een eerdere stap is mislukt.",
                "Not run: an earlier step failed.",
            ),
            (
                "Niet uitgevoerd: de run is onderbroken.",
                "Not run: the run was interrupted.",
            ),
            (
                "Niet uitgevoerd: geen browser beschikbaar.",
                "Not run: no browser available.",
            ),
            (
                "Niet geverifieerd: de stap hangt af van het opslaan, dat een proefrun niet doet.",
                "Not verified: the step depends on the save, which a dry run does not make.",
            ),
        ];
        if self == Lang::Nl {
            return reason.into();
        }
        if let Some(rest) = reason.strip_prefix("Voorwaarde niet vervuld: ") {
            return format!("Condition not met: {rest}").into();
        }
        for (nl, en) in OWN {
            if reason == nl {
                return en.into();
            }
        }
        reason.into()
    }
    /// `nl` or `en` (the HTML `lang` attribute, `report.json`'s `lang`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// Picks the text of this language.
    fn pick(self, nl: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    /// A catalogue text.
    pub fn t(self, m: Msg) -> &'static str {
        let (nl, en) = m.texts();
        self.pick(nl, en)
    }

    /// The status as a word: `geslaagd` / `passed`, ….
    pub fn status(self, s: Status) -> &'static str {
        match s {
            Status::Passed => self.pick("geslaagd", "passed"),
            Status::Failed => self.pick("mislukt", "failed"),
            Status::Skipped => self.pick("overgeslagen", "skipped"),
            Status::Interrupted => self.pick("onderbroken", "interrupted"),
            Status::CommittedUnknown => self.pick("verstuurd, uitkomst onbekend", "committed, outcome unknown"),
            Status::NotVerified => self.pick("niet geverifieerd", "not verified"),
            Status::Unchanged => self.pick("ongewijzigd", "unchanged"),
            Status::Changed => self.pick("gewijzigd", "changed"),
            Status::Broken => self.pick("kapot", "broken"),
        }
    }

    /// `--pause-on-failure`: the browser stays open at the failing step until Enter.
    pub fn paused_at(self, step: &str) -> String {
        match self {
            Lang::Nl => {
                format!("{step} is mislukt. De browser blijft open op deze stap: druk op Enter om af te sluiten.")
            }
            Lang::En => format!("{step} failed. The browser stays open at this step: press Enter to close it."),
        }
    }

    /// The status as a heading: `Geslaagd` / `Passed`, ….
    pub fn outcome(self, s: Status) -> &'static str {
        match s {
            Status::Passed => self.pick("Geslaagd", "Passed"),
            Status::Failed => self.pick("Mislukt", "Failed"),
            Status::Skipped => self.pick("Overgeslagen", "Skipped"),
            Status::Interrupted => self.pick("Onderbroken", "Interrupted"),
            Status::CommittedUnknown => self.pick("Verstuurd, uitkomst onbekend", "Committed, outcome unknown"),
            Status::NotVerified => self.pick("Niet geverifieerd", "Not verified"),
            Status::Unchanged => self.pick("Ongewijzigd", "Unchanged"),
            Status::Changed => self.pick("Afwijking", "Drift"),
            Status::Broken => self.pick("Kapot", "Broken"),
        }
    }

    /// A box's state: `aangevinkt` / `ticked`.
    pub fn ticked(self, on: bool) -> &'static str {
        match on {
            true => self.pick("aangevinkt", "ticked"),
            false => self.pick("niet aangevinkt", "unticked"),
        }
    }

    /// The line of an ensured checkbox: "E-commerce inzichten: niet aangevinkt → aangevinkt, na
    /// herladen bevestigd".
    pub fn ensured_line(self, e: &Ensured) -> String {
        let change = if e.before == e.after {
            format!("{} ({})", self.ticked(e.after), self.pick("was al zo", "already so"))
        } else {
            format!("{} → {}", self.ticked(e.before), self.ticked(e.after))
        };
        let back = match (e.read_back, e.reloaded) {
            (Some(b), true) if b == e.after => self.pick("na herladen bevestigd", "confirmed after reload").to_string(),
            (Some(b), false) if b == e.after => self
                .pick("teruggelezen en bevestigd", "read back and confirmed")
                .to_string(),
            (Some(b), _) => format!(
                "{}: {}",
                self.pick("teruggelezen maar", "read back but"),
                self.ticked(b)
            ),
            (None, _) => self.pick("niet teruggelezen", "not read back").to_string(),
        };
        format!("{}: {change}, {back}", e.label)
    }

    /// "5 stappen: 5 geslaagd, 0 mislukt, 0 overgeslagen".
    pub fn step_counts(self, total: usize, passed: usize, failed: usize, skipped: usize) -> String {
        match self {
            Lang::Nl => format!("{total} stappen: {passed} geslaagd, {failed} mislukt, {skipped} overgeslagen"),
            Lang::En => format!("{total} steps: {passed} passed, {failed} failed, {skipped} skipped"),
        }
    }

    /// `verify`: "5 stappen: 3 ongewijzigd, 1 gewijzigd, 0 kapot, 1 niet geverifieerd, 0 overgeslagen".
    pub fn verify_counts(
        self,
        total: usize,
        [unchanged, changed, broken, not_verified, skipped]: [usize; 5],
    ) -> String {
        match self {
            Lang::Nl => format!(
                "{total} stappen: {unchanged} ongewijzigd, {changed} gewijzigd, {broken} kapot, \
                 {not_verified} niet geverifieerd, {skipped} overgeslagen"
            ),
            Lang::En => format!(
                "{total} steps: {unchanged} unchanged, {changed} changed, {broken} broken, \
                 {not_verified} not verified, {skipped} skipped"
            ),
        }
    }

    /// "Mislukt bij Stap 3. …" / "Onderbroken bij …".
    pub fn outcome_at(self, s: Status, step: &str) -> String {
        format!("{} {} {step}", self.outcome(s), self.pick("bij", "at"))
    }

    /// "wacht op tegel 'E-commerce Inzichten' — 3 min van max. 60".
    pub fn waiting(self, target: &str, elapsed_min: u64, max_min: u64) -> String {
        match self {
            Lang::Nl => format!("wacht op {target} — {elapsed_min} min van max. {max_min}"),
            Lang::En => format!("waiting for {target} — {elapsed_min} min of at most {max_min}"),
        }
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
        match s.trim().to_ascii_lowercase().as_str() {
            "nl" => Ok(Lang::Nl),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}`: nl or en")),
        }
    }
}

/// The fixed texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    RunReport,
    Summary,
    WhatWasDone,
    ForWhom,
    ByWhom,
    Ticket,
    When,
    Portal,
    Outcome,
    Duration,
    Browser,
    Steps,
    Mode,
    Parameters,
    None,
    Secret,
    Downloads,
    Checkboxes,
    Klantnummer,
    Gebruiker,
    Unknown,
    RunCouldNotComplete,
    WhatWentWrong,
    StepFailed,
    SkippedBecause,
    NoReason,
    Locator,
    Page,
    OfferedInstead,
    EndOfStep,
    MomentOfFailure,
    ScreenOfFailure,
    ScreenAtEnd,
    ClickToEnlarge,
    ClickOrEsc,
    ScreenshotMissing,
    Action,
    Time,
    Status,
    TechnicalDetails,
    WebDriver,
    GridNode,
    DownloadsVia,
    Integrity,
    IntegrityHint,
    File,
    Sha256,
    Generated,
    SameFacts,
    Flow,
    DryRun,
    Report,
    Error,
    Interrupted,
    TheRun,
    NamedScreenshot,
    Baseline,
    BaselineWritten,
    BaselineCompared,
    PixelThreshold,
    ComparedWithBaseline,
    NoStructuralChange,
    PixelsChanged,
    ProposedFix,
    Before,
    After,
    Difference,
    DidYouMean,
    InsteadOf,
    Similarity,
    NotSaved,
    Trace,
    TraceAtStop,
    Timeline,
    Console,
    Network,
    Dom,
    PageBefore,
    PageAfter,
    Level,
    Method,
    Address,
    Kind,
    NoEntries,
    TraceNote,
}

impl Msg {
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Msg::RunReport => ("Verslag van de run", "Run report"),
            Msg::Summary => ("Samenvatting", "Summary"),
            Msg::WhatWasDone => ("Wat is er gedaan", "What was done"),
            Msg::ForWhom => ("Voor wie", "For whom"),
            Msg::ByWhom => ("Uitgevoerd door", "Carried out by"),
            Msg::Ticket => ("Ticket", "Ticket"),
            Msg::When => ("Wanneer", "When"),
            Msg::Portal => ("Portal", "Portal"),
            Msg::Outcome => ("Uitkomst", "Outcome"),
            Msg::Duration => ("Duur", "Duration"),
            Msg::Browser => ("Browser", "Browser"),
            Msg::Steps => ("Stappen", "Steps"),
            Msg::Mode => ("Modus", "Mode"),
            Msg::Parameters => ("Parameters", "Parameters"),
            Msg::None => ("Geen.", "None."),
            Msg::Secret => ("geheim", "secret"),
            Msg::Downloads => ("Downloads", "Downloads"),
            Msg::Checkboxes => ("Vinkjes", "Checkboxes"),
            Msg::Klantnummer => ("klantnummer", "customer number"),
            Msg::Gebruiker => ("gebruiker", "user"),
            Msg::Unknown => ("onbekend", "unknown"),
            Msg::RunCouldNotComplete => ("De run kon niet worden voltooid", "The run could not complete"),
            Msg::WhatWentWrong => ("Wat ging er mis", "What went wrong"),
            Msg::StepFailed => ("De stap is mislukt.", "The step failed."),
            Msg::SkippedBecause => ("Overgeslagen:", "Skipped:"),
            Msg::NoReason => ("geen reden opgegeven", "no reason given"),
            Msg::Locator => ("Locator", "Locator"),
            Msg::Page => ("Pagina", "Page"),
            Msg::OfferedInstead => ("Wat de pagina wel bood", "What the page offered instead"),
            Msg::EndOfStep => ("Einde van de stap", "End of step"),
            Msg::MomentOfFailure => ("Moment van de fout", "Moment of failure"),
            Msg::ScreenOfFailure => (
                "Het scherm op het moment van de fout",
                "The screen at the moment it failed",
            ),
            Msg::ScreenAtEnd => ("Het scherm aan het einde van", "The screen at the end of"),
            Msg::ClickToEnlarge => ("klik om te vergroten", "click to enlarge"),
            Msg::ClickOrEsc => ("Klik of druk op Esc om te sluiten", "Click or press Esc to close"),
            Msg::ScreenshotMissing => ("Schermafbeelding niet beschikbaar", "Screenshot not available"),
            Msg::Action => ("Actie", "Action"),
            Msg::Time => ("Tijd", "Time"),
            Msg::Status => ("Status", "Status"),
            Msg::TechnicalDetails => ("Technische details", "Technical details"),
            Msg::WebDriver => ("WebDriver", "WebDriver"),
            Msg::GridNode => ("Grid-node", "Grid node"),
            Msg::DownloadsVia => ("Downloads via", "Downloads via"),
            Msg::Integrity => ("Controle achteraf", "Integrity"),
            Msg::IntegrityHint => (
                "SHA-256 van de schermafbeeldingen en downloads. Alle bestanden van de runmap staan in \
                 manifest.sha256; controleer ze met: sha256sum -c manifest.sha256",
                "SHA-256 of the screenshots and downloads. Every file of the run folder is listed in \
                 manifest.sha256; verify them with: sha256sum -c manifest.sha256",
            ),
            Msg::File => ("Bestand", "File"),
            Msg::Sha256 => ("SHA-256", "SHA-256"),
            Msg::Generated => ("Gemaakt door", "Generated by"),
            Msg::SameFacts => (
                "dezelfde gegevens in report.json en junit.xml",
                "same facts in report.json and junit.xml",
            ),
            Msg::Flow => ("Flow", "Flow"),
            Msg::DryRun => (
                "controle (proefrun: vastleggende acties overgeslagen)",
                "verify (dry run: committing actions skipped)",
            ),
            Msg::Report => ("Verslag", "Report"),
            Msg::Error => ("Fout", "Error"),
            Msg::Interrupted => ("Onderbroken", "Interrupted"),
            Msg::TheRun => ("De run", "The run"),
            Msg::NamedScreenshot => ("Schermafbeelding", "Screenshot"),
            Msg::Baseline => ("Basislijn", "Baseline"),
            Msg::BaselineWritten => ("geschreven naar", "written to"),
            Msg::BaselineCompared => ("vergeleken met", "compared with"),
            Msg::PixelThreshold => ("pixeldrempel", "pixel threshold"),
            Msg::ComparedWithBaseline => ("Vergeleken met de basislijn", "Compared with the baseline"),
            Msg::NoStructuralChange => ("Geen wijziging in de opbouw.", "No structural change."),
            Msg::PixelsChanged => ("Gewijzigde pixels", "Pixels changed"),
            Msg::ProposedFix => ("Voorgestelde aanpassing", "Proposed fix"),
            Msg::Before => ("Voorheen (basislijn)", "Before (baseline)"),
            Msg::After => ("Nu (vandaag)", "After (today)"),
            Msg::Difference => ("Verschil (rood)", "Difference (red)"),
            Msg::DidYouMean => ("Bedoelde u", "Did you mean"),
            Msg::InsteadOf => ("in plaats van", "instead of"),
            Msg::Similarity => ("gelijkenis", "similarity"),
            Msg::NotSaved => ("niet opgeslagen (proefrun)", "not saved (dry run)"),
            Msg::Trace => ("Spoor", "Trace"),
            Msg::TraceAtStop => (
                "Spoor van het moment waarop de stap stopte: de pagina, de DOM, de console en het netwerk",
                "Trace of the moment the step stopped: the page, the DOM, the console and the network",
            ),
            Msg::Timeline => ("Tijdlijn per actie (spoor)", "Timeline per action (trace)"),
            Msg::Console => ("Console", "Console"),
            Msg::Network => ("Netwerk", "Network"),
            Msg::Dom => ("DOM", "DOM"),
            Msg::PageBefore => ("pagina ervoor", "page before"),
            Msg::PageAfter => ("pagina erna", "page after"),
            Msg::Level => ("Niveau", "Level"),
            Msg::Method => ("Methode", "Method"),
            Msg::Address => ("Adres", "Address"),
            Msg::Kind => ("Soort", "Kind"),
            Msg::NoEntries => ("geen", "none"),
            Msg::TraceNote => ("Let op", "Note"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_robots_skip_reasons_follow_the_language_a_flows_own_do_not() {
        let earlier = "Niet uitgevoerd: een eerdere stap is mislukt.";
        assert_eq!(Lang::Nl.skip_reason(earlier), earlier);
        assert_eq!(Lang::En.skip_reason(earlier), "Not run: an earlier step failed.");
        assert_eq!(
            Lang::En.skip_reason("Voorwaarde niet vervuld: visible text \"X\""),
            "Condition not met: visible text \"X\""
        );
        assert_eq!(
            Lang::En.skip_reason("De tegel is er nog niet."),
            "De tegel is er nog niet."
        );
    }

    fn ensured(before: bool, read_back: Option<bool>, reloaded: bool) -> Ensured {
        Ensured {
            label: "E-commerce inzichten".into(),
            locator: "label \"E-commerce inzichten\"".into(),
            before,
            after: true,
            read_back,
            reloaded,
        }
    }

    #[test]
    fn ensured_lines_say_before_after_and_read_back() {
        assert_eq!(
            Lang::Nl.ensured_line(&ensured(false, Some(true), true)),
            "E-commerce inzichten: niet aangevinkt → aangevinkt, na herladen bevestigd"
        );
        assert_eq!(
            Lang::En.ensured_line(&ensured(false, Some(true), true)),
            "E-commerce inzichten: unticked → ticked, confirmed after reload"
        );
        assert_eq!(
            Lang::Nl.ensured_line(&ensured(true, None, false)),
            "E-commerce inzichten: aangevinkt (was al zo), niet teruggelezen"
        );
        assert_eq!(
            Lang::Nl.ensured_line(&ensured(false, Some(false), true)),
            "E-commerce inzichten: niet aangevinkt → aangevinkt, teruggelezen maar: niet aangevinkt"
        );
    }

    #[test]
    fn every_text_exists_in_both_languages() {
        assert_eq!("nl".parse::<Lang>(), Ok(Lang::Nl));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("de".parse::<Lang>().is_err());
        for s in [
            Status::Passed,
            Status::Failed,
            Status::Skipped,
            Status::Interrupted,
            Status::CommittedUnknown,
        ] {
            assert_ne!(Lang::Nl.outcome(s), Lang::En.outcome(s));
        }
        assert_eq!(
            Lang::Nl.waiting("tegel 'E-commerce Inzichten'", 3, 60),
            "wacht op tegel 'E-commerce Inzichten' — 3 min van max. 60"
        );
    }
}
