//! `labels.csv` of an evaluation directory: one row per image, with a header
//! naming at least the columns `file` (relative to the directory) and
//! `class_index` (the model's output index for that image's class).
//!
//! ```text
//! file,synset,class_index,name
//! n01440764_tench.JPEG,n01440764,0,tench
//! ```

use std::path::Path;

/// One labelled image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labelled {
    pub file: String,
    pub class: usize,
}

/// Reads `dir/labels.csv`.
pub fn read_labels(dir: &Path) -> Result<Vec<Labelled>, String> {
    let path = dir.join("labels.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
    parse_labels(&path.display().to_string(), &text)
}

/// Parses labels.csv text; `name` is for messages.
pub fn parse_labels(name: &str, text: &str) -> Result<Vec<Labelled>, String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| format!("'{name}' is empty; it needs a header 'file,class_index'"))?;
    let header = split_fields(header);
    let column = |wanted: &str| {
        header.iter().position(|h| h.trim() == wanted).ok_or_else(|| {
            let found = header.join(",");
            format!("'{name}' has no '{wanted}' column (its header: {found}); it needs 'file' and 'class_index'")
        })
    };
    let (file_col, class_col) = (column("file")?, column("class_index")?);
    let rows = lines
        .map(|(i, line)| {
            let fields = split_fields(line);
            let field = |col: usize| fields.get(col).map(|f| f.trim()).unwrap_or("");
            let file = field(file_col);
            if file.is_empty() {
                return Err(format!("{name}:{}: the row has no file name", i + 1));
            }
            let class = field(class_col).parse().map_err(|_| {
                format!("{name}:{}: class_index '{}' is not a non-negative integer", i + 1, field(class_col))
            })?;
            Ok(Labelled { file: file.to_string(), class })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if rows.is_empty() {
        return Err(format!("'{name}' lists no images"));
    }
    Ok(rows)
}

/// `limit` rows spread evenly over `rows` (every len/limit-th), as
/// tools/efficientnet/imagenet_sample.py picks them, so that a subset of a
/// class-sorted list is not all fish and birds; all rows without a limit.
pub fn spread(rows: Vec<Labelled>, limit: Option<usize>) -> Vec<Labelled> {
    match limit {
        Some(n) if n < rows.len() => {
            let step = rows.len() as f64 / n as f64;
            (0..n).map(|i| rows[(i as f64 * step) as usize].clone()).collect()
        }
        _ => rows,
    }
}

/// The fields of one CSV line: commas separate, double quotes protect commas,
/// and `""` inside quotes is a quote.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut().expect("one field at least");
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => field.push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, class: usize) -> Labelled {
        Labelled { file: file.to_string(), class }
    }

    #[test]
    fn reads_the_sample_format() {
        let text = "file,synset,class_index,name\r\na.JPEG,n01,0,tench\n\n\
                    \"b,c.png\",n02,7,\"a \"\"quoted\"\", name\"\n";
        assert_eq!(parse_labels("l.csv", text).unwrap(), [row("a.JPEG", 0), row("b,c.png", 7)]);
    }

    #[test]
    fn columns_are_found_by_name() {
        assert_eq!(parse_labels("l.csv", "class_index,file\n3,x.png\n").unwrap(), [row("x.png", 3)]);
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| parse_labels("l.csv", text).unwrap_err();
        assert!(err("").contains("is empty"));
        assert!(err("file,label\na,1\n").contains("has no 'class_index' column (its header: file,label)"));
        assert_eq!(err("file,class_index\na.png,x\n"), "l.csv:2: class_index 'x' is not a non-negative integer");
        assert_eq!(err("file,class_index\n,1\n"), "l.csv:2: the row has no file name");
        assert!(err("file,class_index\n").contains("lists no images"));
    }

    #[test]
    fn a_limit_spreads_over_the_list() {
        let rows: Vec<Labelled> = (0..10).map(|i| row(&format!("{i}.png"), i)).collect();
        let classes = |n| spread(rows.clone(), n).iter().map(|r| r.class).collect::<Vec<_>>();
        assert_eq!(classes(Some(3)), [0, 3, 6]);
        assert_eq!(classes(Some(4)), [0, 2, 5, 7]);
        assert_eq!(classes(Some(20)), (0..10).collect::<Vec<_>>());
        assert_eq!(classes(None).len(), 10);
    }
}
