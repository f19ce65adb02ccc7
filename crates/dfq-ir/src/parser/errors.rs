//! Turning pest's failures into MLIR-style diagnostics a user can act on.

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser as _;

use super::{MlirGrammar, Rule};
use crate::diag::{Diagnostic, SourceFile};

/// The diagnostic for a syntax error. Runs only on failure, so it may re-parse
/// with pest's (slower) detailed error tracking to learn which tokens would fit.
pub fn syntax_error(src: &SourceFile, err: pest::error::Error<Rule>) -> Diagnostic {
    let text = src.text();
    let pos = err_pos(&err);
    if let Some(quote) = unterminated_string(text, pos) {
        return Diagnostic::error(Some(src.location(quote)), "unterminated string literal: expected '\"' before the end of the line");
    }
    if let ErrorVariant::CustomError { message } = &err.variant {
        return Diagnostic::error(Some(src.location(pos)), format!("input too complex to parse: {message}"));
    }
    // The detailed re-parse knows which tokens fit at its furthest position; that
    // position is the better one to report, as pest's plain error may point into
    // the middle of a token it tried to extend.
    let (detailed_pos, tokens) = detailed_expectations(text);
    let pos = detailed_pos.unwrap_or(pos);
    let mut expected: Vec<String> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } if detailed_pos.is_none_or(|p| p == err_pos(&err)) => {
            positives.iter().filter_map(|r| describe(*r)).map(String::from).collect()
        }
        _ => Vec::new(),
    };
    // Keywords are summed up by the rule names ("a type" covers 'f32' and 'tensor');
    // punctuation is not, so it is listed as is.
    let summarized = !expected.is_empty();
    expected.extend(tokens.into_iter().filter(|t| t != "'//'" && (!summarized || is_punctuation(t))));
    expected.sort();
    expected.dedup();
    let found = found_at(text, pos);
    let message = match expected.as_slice() {
        [] => format!("unexpected {found}"),
        [one] => format!("expected {one}, found {found}"),
        [init @ .., last] => format!("expected {} or {last}, found {found}", init.join(", ")),
    };
    Diagnostic::error(Some(src.location(pos)), message)
}

fn err_pos(err: &pest::error::Error<Rule>) -> usize {
    match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
}

/// The furthest position the parser reached and the literal tokens it would have
/// accepted there.
fn detailed_expectations(text: &str) -> (Option<usize>, Vec<String>) {
    pest::set_error_detail(true);
    let result = MlirGrammar::parse(Rule::file, text);
    pest::set_error_detail(false);
    let Some(attempts) = result.err().and_then(|e| e.parse_attempts()) else { return (None, Vec::new()) };
    let tokens = attempts
        .expected_tokens()
        .into_iter()
        // pest does not export its token type; only literal tokens are worth naming.
        .filter(|t| format!("{t:?}").starts_with("Sensitive"))
        .map(|t| t.to_string())
        .filter(|t| !t.trim().is_empty())
        .map(|t| format!("'{t}'"))
        .collect();
    (Some(attempts.max_position), tokens)
}

fn is_punctuation(quoted: &str) -> bool {
    let token = quoted.trim_matches('\'');
    token == "->" || (!token.is_empty() && token.chars().all(|c| "(){}[]<>:,=#".contains(c)))
}

fn found_at(text: &str, pos: usize) -> String {
    let rest = &text[pos.min(text.len())..];
    let token: String = rest.chars().take_while(|c| !c.is_whitespace()).take(24).collect();
    if token.is_empty() {
        if rest.is_empty() {
            "end of file".into()
        } else {
            "whitespace".into()
        }
    } else {
        format!("'{token}'")
    }
}

/// Offset of a string's opening quote whose line ends before the string does, if
/// one starts before `limit`. Comments are skipped.
fn unterminated_string(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && i <= limit {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') => return Some(start),
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// User-facing names of grammar rules; `None` for rules too small to mention.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::module_op => "'module'",
        Rule::func_op => "'func.func'",
        Rule::op => "an operation",
        Rule::op_results => "SSA results",
        Rule::value_use | Rule::value_id | Rule::value_list => "an SSA value",
        Rule::type_ | Rule::type_list => "a type",
        Rule::element_type | Rule::float_type | Rule::int_type => "an element type",
        Rule::tensor_type => "a tensor type",
        Rule::attr_dict => "an attribute dictionary",
        Rule::attr_entry | Rule::attr_name => "an attribute name",
        Rule::attr_value => "an attribute value",
        Rule::function_type => "a function type",
        Rule::dense_body | Rule::dense_elem | Rule::dense_scalar | Rule::dense_list => "dense elements",
        Rule::string_lit => "a string",
        Rule::hex_string => "a hex string",
        Rule::number | Rule::signed_int | Rule::int_digits => "a number",
        Rule::symbol_name => "a symbol name (@name)",
        Rule::resources => "a resource section '{-#'",
        Rule::resource_key => "a resource key",
        Rule::bare_id => "an identifier",
        Rule::EOI => "end of file",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unterminated_strings_outside_comments() {
        assert_eq!(unterminated_string("// \"x\n\"ok\" \"bad\n", 100), Some(11));
        assert_eq!(unterminated_string("\"a\\\"b\"", 100), None);
    }
}
