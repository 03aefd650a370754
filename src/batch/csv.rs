//! Reading a batch CSV: encoding and delimiter detection, header checks against the flow's
//! parameters, and every bad row reported at once with its line number.

use super::key::{sha256_hex, RowKey};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

/// Extra columns a CSV may carry that are not flow parameters; they are copied into the
/// results and reports (compared case-insensitively).
pub const EXTRA_COLUMNS: &[&str] = &["ticket", "opmerking"];

/// A parameter the flow declares, as far as a CSV is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: String,
    /// Secrets never come from a CSV: a column with this name is refused.
    pub secret: bool,
    /// A parameter with a default may be left out (no column, or an empty cell).
    pub has_default: bool,
}

impl ParamSpec {
    pub fn required(name: &str) -> ParamSpec {
        ParamSpec {
            name: name.to_string(),
            secret: false,
            has_default: false,
        }
    }

    /// The CSV view of every parameter `flow` declares.
    pub fn of_flow(flow: &crate::flow::Flow) -> Vec<ParamSpec> {
        flow.params.iter().map(ParamSpec::from).collect()
    }
}

impl From<&crate::flow::ParamDecl> for ParamSpec {
    fn from(p: &crate::flow::ParamDecl) -> ParamSpec {
        ParamSpec {
            name: p.name.clone(),
            secret: p.secret,
            has_default: p.default.is_some(),
        }
    }
}

/// How the bytes were decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 starting with a byte-order mark (as Excel writes "CSV UTF-8").
    Utf8Bom,
    /// Not valid UTF-8: read as Windows-1252 (Excel's plain "CSV" on western Windows).
    Windows1252,
}

/// One row of the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    /// 1-based line of the CSV file where the row starts.
    pub line: u64,
    /// Flow parameter → value (parameters left empty to use their default are absent).
    pub params: BTreeMap<String, String>,
    /// Allowed extra column (as spelled in the header) → value, possibly empty.
    pub extra: BTreeMap<String, String>,
    /// Identity of the row: a hash of `params`.
    pub key: RowKey,
}

/// A checked batch CSV.
#[derive(Debug, Clone)]
pub struct Batch {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, so a resumed batch can refuse a changed CSV.
    pub sha256: String,
    pub encoding: TextEncoding,
    pub delimiter: u8,
    /// Parameter columns present, in the flow's declaration order.
    pub param_columns: Vec<String>,
    /// Extra columns present, in file order.
    pub extra_columns: Vec<String>,
    pub rows: Vec<BatchRow>,
}

/// What is wrong with a line of the CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A header column that is neither a parameter nor an allowed extra column.
    UnknownColumn {
        name: String,
        suggestion: Option<String>,
    },
    /// A header column naming a secret parameter.
    SecretColumn {
        name: String,
    },
    /// A required parameter has no column.
    MissingColumn {
        name: String,
    },
    DuplicateColumn {
        name: String,
    },
    /// A header column without a name.
    EmptyColumnName {
        position: usize,
    },
    /// The row has fewer fields than the header.
    MissingValues {
        expected: usize,
        found: usize,
    },
    /// The row has more fields than the header.
    TooManyValues {
        expected: usize,
        found: usize,
    },
    /// A required parameter is empty on this row.
    EmptyValue {
        column: String,
    },
    /// The row has the same parameter values as an earlier row.
    DuplicateRow {
        first_line: u64,
    },
    /// A quoted field is never closed.
    UnclosedQuote,
    /// The file has a header but no rows.
    NoRows,
    /// The file is empty.
    NoHeader,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownColumn { name, suggestion } => {
                write!(f, "unknown column `{name}`: not a parameter of the flow")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean `{s}`?)"),
                    None => Ok(()),
                }
            }
            Problem::SecretColumn { name } => {
                write!(
                    f,
                    "column `{name}` is a secret parameter; secrets never come from a CSV"
                )
            }
            Problem::MissingColumn { name } => write!(f, "missing column `{name}` (a parameter of the flow)"),
            Problem::DuplicateColumn { name } => write!(f, "column `{name}` appears more than once"),
            Problem::EmptyColumnName { position } => write!(f, "column {position} has no name"),
            Problem::MissingValues { expected, found } => {
                write!(f, "missing values: {found} of {expected} columns")
            }
            Problem::TooManyValues { expected, found } => {
                write!(f, "too many values: {found} for {expected} columns")
            }
            Problem::EmptyValue { column } => write!(f, "empty value for `{column}`"),
            Problem::DuplicateRow { first_line } => write!(f, "duplicate row: same values as line {first_line}"),
            Problem::UnclosedQuote => write!(f, "a quoted field is never closed (missing `\"`)"),
            Problem::NoRows => write!(f, "no rows below the header"),
            Problem::NoHeader => write!(f, "the file is empty; the first line must name the columns"),
        }
    }
}

/// A problem at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: u64,
    pub problem: Problem,
}

/// Why a batch CSV cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Every bad line, one `FILE:LINE: what` per line of the message.
    #[error("{}", render(path, problems))]
    Invalid { path: PathBuf, problems: Vec<LineProblem> },
}

fn render(path: &Path, problems: &[LineProblem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}: {}", path.display(), p.line, p.problem))
        .collect();
    lines.join("\n")
}

/// Reads and checks the batch CSV at `path` against the flow's parameters.
pub fn read_batch(path: &Path, params: &[ParamSpec]) -> Result<Batch, CsvError> {
    let bytes = std::fs::read(path).map_err(|source| CsvError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_batch(path, &bytes, params)
}

/// Checks a batch CSV given as bytes; `path` is only used in messages and in [`Batch::path`].
pub fn parse_batch(path: &Path, bytes: &[u8], params: &[ParamSpec]) -> Result<Batch, CsvError> {
    let invalid = |problems| CsvError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    let (text, encoding) = decode(bytes);
    let delimiter = detect_delimiter(&text);
    if let Some(line) = unclosed_quote_line(&text, delimiter) {
        return Err(invalid(vec![LineProblem {
            line,
            problem: Problem::UnclosedQuote,
        }]));
    }

    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut lines = LineCounter::default();
    for rec in reader.records() {
        // The text is valid UTF-8 and the reader is flexible: reading a record cannot fail.
        let Ok(r) = rec else { continue };
        let line = lines.line_at(&text, r.position().map_or(0, |p| p.byte() as usize));
        records.push((line, r));
    }
    let mut records = records.into_iter();
    let Some((header_line, header)) = records.next() else {
        return Err(invalid(vec![LineProblem {
            line: 1,
            problem: Problem::NoHeader,
        }]));
    };

    let mut problems = Vec::new();
    let columns = check_header(header_line, &header, params, &mut problems);
    let mut rows = Vec::new();
    let mut seen: HashMap<RowKey, u64> = HashMap::new();
    for (line, rec) in records {
        // A line of only delimiters (a spreadsheet's trailing empty row) is not a row.
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let mut report = |problem| problems.push(LineProblem { line, problem });
        if rec.len() < columns.len() {
            report(Problem::MissingValues {
                expected: columns.len(),
                found: rec.len(),
            });
            continue;
        }
        if rec.len() > columns.len() && rec.iter().skip(columns.len()).any(|f| !f.is_empty()) {
            report(Problem::TooManyValues {
                expected: columns.len(),
                found: rec.len(),
            });
            continue;
        }
        let mut row = BatchRow {
            line,
            params: BTreeMap::new(),
            extra: BTreeMap::new(),
            key: RowKey::of(&BTreeMap::new()),
        };
        let mut ok = true;
        for (col, value) in columns.iter().zip(rec.iter()) {
            match col {
                Column::Param { name, has_default } => {
                    if !value.is_empty() {
                        row.params.insert(name.clone(), value.to_string());
                    } else if !has_default {
                        report(Problem::EmptyValue { column: name.clone() });
                        ok = false;
                    }
                }
                Column::Extra(name) => {
                    row.extra.insert(name.clone(), value.to_string());
                }
                Column::Ignored => {}
            }
        }
        if !ok {
            continue;
        }
        row.key = RowKey::of(&row.params);
        if let Some(first_line) = seen.get(&row.key) {
            report(Problem::DuplicateRow {
                first_line: *first_line,
            });
            continue;
        }
        seen.insert(row.key.clone(), line);
        rows.push(row);
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(LineProblem {
            line: header_line,
            problem: Problem::NoRows,
        });
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(invalid(problems));
    }

    let param_columns = params
        .iter()
        .filter(|p| {
            columns
                .iter()
                .any(|c| matches!(c, Column::Param { name, .. } if *name == p.name))
        })
        .map(|p| p.name.clone())
        .collect();
    let extra_columns = columns
        .iter()
        .filter_map(|c| match c {
            Column::Extra(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    Ok(Batch {
        path: path.to_path_buf(),
        sha256: sha256_hex(bytes),
        encoding,
        delimiter,
        param_columns,
        extra_columns,
        rows,
    })
}

/// 1-based line numbers of records from their byte offsets. The reader's own line count does
/// not count every line ending, and a record's offset may point at the end of the previous
/// line (or blank lines before it), so line endings at the offset are skipped.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> u64 {
        let bytes = text.as_bytes();
        let mut offset = offset.min(bytes.len());
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset >= self.offset {
            self.line += bytes[self.offset..offset].iter().filter(|b| **b == b'\n').count() as u64;
            self.offset = offset;
        }
        self.line + 1
    }
}

/// What a header column is.
#[derive(Debug)]
enum Column {
    Param {
        name: String,
        has_default: bool,
    },
    Extra(String),
    /// A bad column (already reported); its values are not read.
    Ignored,
}

fn check_header(
    line: u64,
    header: &::csv::StringRecord,
    params: &[ParamSpec],
    problems: &mut Vec<LineProblem>,
) -> Vec<Column> {
    let mut report = |problem| problems.push(LineProblem { line, problem });
    let mut columns = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            report(Problem::EmptyColumnName { position: i + 1 });
            columns.push(Column::Ignored);
            continue;
        }
        if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            report(Problem::DuplicateColumn { name: name.to_string() });
            columns.push(Column::Ignored);
            continue;
        }
        seen.push(name);
        if let Some(p) = params.iter().find(|p| p.name == name) {
            if p.secret {
                report(Problem::SecretColumn { name: name.to_string() });
                columns.push(Column::Ignored);
            } else {
                columns.push(Column::Param {
                    name: p.name.clone(),
                    has_default: p.has_default,
                });
            }
        } else if EXTRA_COLUMNS.iter().any(|x| x.eq_ignore_ascii_case(name)) {
            columns.push(Column::Extra(name.to_string()));
        } else {
            let candidates = params.iter().filter(|p| !p.secret).map(|p| p.name.as_str());
            let suggestion = candidates
                .chain(EXTRA_COLUMNS.iter().copied())
                .map(|c| (strsim::jaro_winkler(&c.to_lowercase(), &name.to_lowercase()), c))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, c)| c.to_string());
            report(Problem::UnknownColumn {
                name: name.to_string(),
                suggestion,
            });
            columns.push(Column::Ignored);
        }
    }
    for p in params.iter().filter(|p| !p.secret && !p.has_default) {
        if !header.iter().any(|h| h == p.name) {
            report(Problem::MissingColumn { name: p.name.clone() });
        }
    }
    columns
}

/// Decodes the file: UTF-8 (a byte-order mark is dropped) when valid, else Windows-1252.
pub fn decode(bytes: &[u8]) -> (String, TextEncoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if let Ok(s) = std::str::from_utf8(rest) {
            return (s.to_string(), TextEncoding::Utf8Bom);
        }
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), TextEncoding::Utf8);
    }
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    (text.into_owned(), TextEncoding::Windows1252)
}

/// `;` when the header line (outside quotes) has more semicolons than commas, else `,`.
pub fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' | '\r' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// The line where a quoted field opens that is never closed, if any.
///
/// A quote opens a field only at the field's start (after optional spaces); `""` inside a
/// quoted field is an escaped quote. Stray quotes inside unquoted fields are taken literally,
/// as the CSV reader does.
fn unclosed_quote_line(text: &str, delimiter: u8) -> Option<u64> {
    let delimiter = delimiter as char;
    let (mut line, mut quoted, mut at_field_start, mut opened_at) = (1u64, false, true, 0u64);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                }
                '"' => quoted = false,
                '\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                opened_at = line;
            }
            '\n' => {
                line += 1;
                at_field_start = true;
            }
            c if c == delimiter => at_field_start = true,
            ' ' | '\t' | '\r' => {}
            _ => at_field_start = false,
        }
    }
    quoted.then_some(opened_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::required("klantnummer"),
            ParamSpec::required("gebruiker"),
            ParamSpec {
                name: "wachtwoord".into(),
                secret: true,
                has_default: false,
            },
            ParamSpec {
                name: "rol".into(),
                secret: false,
                has_default: true,
            },
        ]
    }

    fn parse(bytes: &[u8]) -> Result<Batch, CsvError> {
        parse_batch(Path::new("lijst.csv"), bytes, &specs())
    }

    fn problems(bytes: &[u8]) -> Vec<LineProblem> {
        match parse(bytes) {
            Err(CsvError::Invalid { problems, .. }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn reads_comma_separated_utf8() {
        let b = parse(b"klantnummer,gebruiker\n1001,Jan Jansen\n1002,Piet de Vries\n").unwrap();
        assert_eq!(b.delimiter, b',');
        assert_eq!(b.encoding, TextEncoding::Utf8);
        assert_eq!(b.param_columns, vec!["klantnummer", "gebruiker"]);
        assert_eq!(b.rows.len(), 2);
        assert_eq!(b.rows[0].line, 2);
        assert_eq!(b.rows[1].line, 3);
        assert_eq!(b.rows[1].params["gebruiker"], "Piet de Vries");
        assert_eq!(b.rows[0].key, RowKey::of(&b.rows[0].params));
    }

    #[test]
    fn reads_semicolons_bom_crlf_and_quotes() {
        let csv = "\u{feff}gebruiker;klantnummer;ticket\r\n\"Jansen; Jan\";1001;\"INC-1\"\r\n\"Zeg \"\"hoi\"\"\nen tot ziens\";1002;\r\n";
        let b = parse(csv.as_bytes()).unwrap();
        assert_eq!(b.delimiter, b';');
        assert_eq!(b.encoding, TextEncoding::Utf8Bom);
        assert_eq!(b.param_columns, vec!["klantnummer", "gebruiker"], "declaration order");
        assert_eq!(b.extra_columns, vec!["ticket"]);
        assert_eq!(b.rows[0].params["gebruiker"], "Jansen; Jan");
        assert_eq!(b.rows[0].extra["ticket"], "INC-1");
        assert_eq!(b.rows[1].params["gebruiker"], "Zeg \"hoi\"\nen tot ziens");
        assert_eq!(b.rows[1].line, 3);
        assert_eq!(b.rows[1].extra["ticket"], "");
    }

    #[test]
    fn reads_windows_1252() {
        // "José Müller" in Windows-1252: é = 0xE9, ü = 0xFC.
        let b = parse(b"klantnummer;gebruiker;opmerking\r\n1001;Jos\xe9 M\xfcller;\x80 5\r\n").unwrap();
        assert_eq!(b.encoding, TextEncoding::Windows1252);
        assert_eq!(b.rows[0].params["gebruiker"], "José Müller");
        assert_eq!(b.rows[0].extra["opmerking"], "€ 5");
    }

    #[test]
    fn same_values_give_same_key_whatever_the_layout() {
        let a = parse(b"klantnummer,gebruiker\n1001,Jan\n").unwrap();
        let b = parse(b"\xef\xbb\xbfgebruiker;klantnummer;ticket\r\n\n\"Jan\";1001;X\r\n").unwrap();
        assert_eq!(a.rows[0].key, b.rows[0].key);
        assert_eq!(b.rows[0].line, 3, "blank lines still count");
    }

    #[test]
    fn reports_every_bad_row_with_its_line() {
        let csv = b"klantnummer,gebruiker\n1001,Jan\n1002\n,Piet\n1001,Jan\n1003,Kees,extra\n1004,Joke\n";
        let p = problems(csv);
        assert_eq!(
            p,
            vec![
                LineProblem {
                    line: 3,
                    problem: Problem::MissingValues { expected: 2, found: 1 }
                },
                LineProblem {
                    line: 4,
                    problem: Problem::EmptyValue {
                        column: "klantnummer".into()
                    }
                },
                LineProblem {
                    line: 5,
                    problem: Problem::DuplicateRow { first_line: 2 }
                },
                LineProblem {
                    line: 6,
                    problem: Problem::TooManyValues { expected: 2, found: 3 }
                },
            ]
        );
        let err = parse(csv).unwrap_err().to_string();
        assert!(
            err.starts_with("lijst.csv:3: missing values: 1 of 2 columns\nlijst.csv:4: empty value for `klantnummer`"),
            "{err}"
        );
    }

    #[test]
    fn header_problems_unknown_secret_missing_duplicate() {
        let p = problems(b"klantnumer,wachtwoord,ticket,Ticket\n1,2,3,4\n");
        let kinds: Vec<_> = p.iter().map(|p| (p.line, p.problem.clone())).collect();
        assert_eq!(
            kinds,
            vec![
                (
                    1,
                    Problem::UnknownColumn {
                        name: "klantnumer".into(),
                        suggestion: Some("klantnummer".into())
                    }
                ),
                (
                    1,
                    Problem::SecretColumn {
                        name: "wachtwoord".into()
                    }
                ),
                (1, Problem::DuplicateColumn { name: "Ticket".into() }),
                (
                    1,
                    Problem::MissingColumn {
                        name: "klantnummer".into()
                    }
                ),
                (
                    1,
                    Problem::MissingColumn {
                        name: "gebruiker".into()
                    }
                ),
            ]
        );
        let msg = parse(b"klantnumer,gebruiker\n1,2\n").unwrap_err().to_string();
        assert_eq!(
            msg,
            "lijst.csv:1: unknown column `klantnumer`: not a parameter of the flow (did you mean `klantnummer`?)\n\
             lijst.csv:1: missing column `klantnummer` (a parameter of the flow)"
        );
    }

    #[test]
    fn parameters_with_a_default_may_be_absent_or_empty() {
        let b = parse(b"klantnummer,gebruiker,rol\n1,Jan,\n2,Piet,beheerder\n").unwrap();
        assert!(!b.rows[0].params.contains_key("rol"));
        assert_eq!(b.rows[1].params["rol"], "beheerder");
        assert_eq!(b.param_columns, vec!["klantnummer", "gebruiker", "rol"]);
        assert!(parse(b"klantnummer,gebruiker\n1,Jan\n").is_ok());
    }

    #[test]
    fn empty_file_header_only_and_trailing_empty_rows() {
        assert_eq!(problems(b"")[0].problem, Problem::NoHeader);
        assert_eq!(
            problems(b"klantnummer,gebruiker\r\n")[0],
            LineProblem {
                line: 1,
                problem: Problem::NoRows
            }
        );
        let b = parse(b"klantnummer;gebruiker\r\n1;Jan\r\n;\r\n;\r\n").unwrap();
        assert_eq!(b.rows.len(), 1);
    }

    #[test]
    fn unclosed_quote_is_reported_at_its_line() {
        let p = problems(b"klantnummer,gebruiker\n1,Jan\n2,\"Piet\n3,Kees\n");
        assert_eq!(
            p,
            vec![LineProblem {
                line: 3,
                problem: Problem::UnclosedQuote
            }]
        );
        // Quotes inside an unquoted field and escaped quotes are fine.
        assert!(parse(b"klantnummer,gebruiker\n1,Jan \"JJ\" Jansen\n2,\"a \"\"b\"\"\"\n").is_ok());
    }

    #[test]
    fn sha256_is_of_the_raw_bytes() {
        let bytes = b"klantnummer,gebruiker\n1,Jan\n";
        assert_eq!(parse(bytes).unwrap().sha256, sha256_hex(bytes));
    }

    #[test]
    fn specs_of_the_shipped_flow_read_a_spreadsheet_export() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let flow = crate::flow::load(&root.join("flows/autoriseren-ecommerce-inzichten.toml")).unwrap();
        let specs = ParamSpec::of_flow(&flow);
        assert_eq!(
            specs,
            vec![ParamSpec::required("klantnummer"), ParamSpec::required("gebruiker")]
        );
        let csv = "klantnummer;gebruiker;ticket\r\n9401138;\"GATUser, PostNL (PostNL)\";INC-1\r\n";
        let b = parse_batch(Path::new("lijst.csv"), csv.as_bytes(), &specs).unwrap();
        assert_eq!(b.rows[0].params["gebruiker"], "GATUser, PostNL (PostNL)");
    }

    #[test]
    fn read_batch_names_the_file_when_missing() {
        let err = read_batch(Path::new("/nonexistent/lijst.csv"), &specs()).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/lijst.csv: cannot read:"),
            "{err}"
        );
    }
}
