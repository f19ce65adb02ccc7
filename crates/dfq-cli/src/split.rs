//! `--split-input-file`: one file, several independent test cases separated by
//! `// -----` lines. Each chunk keeps the line numbers it has in the whole file.

use dfq_ir::SourceFile;

pub const SEPARATOR: &str = "// -----";

pub fn split_input(name: &str, text: &str) -> Vec<SourceFile> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut first_line = 1;
    let mut offset = 0;
    for (line, raw) in (1..).zip(text.split_inclusive('\n')) {
        if raw.trim_end() == SEPARATOR {
            chunks.push(SourceFile::with_first_line(name, &text[start..offset], first_line));
            start = offset + raw.len();
            first_line = line + 1;
        }
        offset += raw.len();
    }
    chunks.push(SourceFile::with_first_line(name, &text[start..], first_line));
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_line_numbers() {
        let chunks = split_input("t", "a\n// -----\nb\nc\n// -----\nd");
        let texts: Vec<_> = chunks.iter().map(|c| c.text()).collect();
        assert_eq!(texts, ["a\n", "b\nc\n", "d"]);
        assert_eq!(chunks[1].location(2).line, 4);
        assert_eq!(chunks[2].location(0).line, 6);
    }
}
