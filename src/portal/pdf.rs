//! The generated "E-commerce inzichten" report: a small, valid one-page PDF written by hand
//! (objects, a correct xref table and trailer).

use chrono::NaiveDate;

/// Keeps PDF text to printable ASCII and escapes string delimiters.
fn pdf_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            _ => vec![c],
        })
        .collect()
}

/// Deterministic demo figures derived from the klantnummer.
fn figures(number: &str) -> (u32, u32, u32, u32) {
    let seed = number
        .bytes()
        .fold(7u32, |acc, b| acc.wrapping_mul(31).wrapping_add(b as u32));
    (
        1_200 + seed % 3_800, // parcels
        940 + seed % 55,      // first-attempt delivery, per mille
        20 + (seed / 7) % 60, // returns, per mille
        11 + (seed / 13) % 9, // delivery time, tenths of a day
    )
}

/// The report for `number` (e.g. "9401138") named `name` (e.g. "PostNL (9401138)") on `date`.
pub(crate) fn ecommerce_report(number: &str, name: &str, date: NaiveDate) -> Vec<u8> {
    let (parcels, first, returns, days) = figures(number);
    let pct = |per_mille: u32| format!("{},{}%", per_mille / 10, per_mille % 10);
    let lines: Vec<(&str, u32, String)> = vec![
        ("F2", 20, "E-commerce inzichten".to_string()),
        ("F1", 12, format!("Klantnummer: {number}")),
        ("F1", 12, format!("Naam: {name}")),
        ("F1", 12, format!("Rapportdatum: {}", date.format("%d-%m-%Y"))),
        ("F1", 12, "Periode: laatste 30 dagen".to_string()),
        ("F2", 14, "Kerncijfers".to_string()),
        ("F1", 12, format!("Verzonden pakketten: {parcels}")),
        ("F1", 12, format!("Bezorgd bij eerste poging: {}", pct(first))),
        ("F1", 12, format!("Retourpercentage: {}", pct(returns))),
        (
            "F1",
            12,
            format!("Gemiddelde bezorgtijd: {},{} dag", days / 10, days % 10),
        ),
        (
            "F1",
            9,
            "Demorapport, gegenereerd door de Mijn PostNL-replica.".to_string(),
        ),
    ];
    let mut content = String::new();
    // Orange band with the brand name.
    content.push_str("1 0.384 0 rg 0 772 595 70 re f\n");
    content.push_str("BT /F2 26 Tf 1 1 1 rg 40 795 Td (PostNL) Tj ET\n");
    content.push_str("0.08 0.12 0.29 rg\n");
    let mut y = 730;
    for (font, size, text) in &lines {
        if *size >= 14 && y < 730 {
            y -= 14;
        }
        content.push_str(&format!("BT /{font} {size} Tf 40 {y} Td ({}) Tj ET\n", pdf_text(text)));
        y -= (*size as i32) + 10;
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        format!(
            "<< /Title (E-commerce inzichten {}) /Producer (Mijn PostNL replica) >>",
            pdf_text(number)
        ),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let pdf = ecommerce_report("9401138", "PostNL (9401138)", date);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF"));
        let text = String::from_utf8_lossy(&pdf).to_string();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n"));
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        for (n, line) in table.lines().skip(3).take(7).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(format!("{} 0 obj", n + 1).as_bytes()));
        }
        assert!(text.contains("Klantnummer: 9401138"));
        assert!(text.contains("01-03-2026"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(pdf_text("a(b)\\é"), "a\\(b\\)\\\\?");
    }
}
