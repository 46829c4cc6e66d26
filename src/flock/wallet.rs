//! Wallet addresses: `0x` and 40 hex digits, in any case, and nothing else.
//!
//! The API stores addresses in mixed (checksum) case and compares them case-insensitively, so
//! a [`WalletAddress`] keeps what the user typed for display and compares by its lower-case form.

use std::fmt;
use std::str::FromStr;

/// A syntactically valid wallet address.
#[derive(Clone, Debug, Eq)]
pub struct WalletAddress {
    shown: String,
    lower: String,
}

impl WalletAddress {
    /// The address as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    /// The lower-case form, for comparisons and URLs.
    pub fn lower(&self) -> &str {
        &self.lower
    }

    /// Whether `other` (an address from the API, any case) is this wallet.
    pub fn is(&self, other: &str) -> bool {
        other.trim().eq_ignore_ascii_case(&self.lower)
    }
}

impl PartialEq for WalletAddress {
    fn eq(&self, other: &Self) -> bool {
        self.lower == other.lower
    }
}

impl fmt::Display for WalletAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl FromStr for WalletAddress {
    type Err = String;

    /// Accept `0x` + 40 hex digits in any case; say precisely what is wrong otherwise.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("Enter a wallet address: 0x followed by 40 hexadecimal digits.".into());
        }
        let Some(digits) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) else {
            return Err("A wallet address starts with 0x.".into());
        };
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!(
                "“{bad}” is not a hexadecimal digit: an address uses only 0–9 and a–f after 0x."
            ));
        }
        if digits.len() != 40 {
            return Err(format!(
                "An address has 40 digits after 0x; this one has {}.",
                digits.len()
            ));
        }
        Ok(WalletAddress {
            shown: text.to_string(),
            lower: text.to_ascii_lowercase(),
        })
    }
}

/// A short form for tight spaces: `0xB93A…47c9`.
pub fn short_address(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    if chars.len() <= 12 {
        return address.to_string();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9";

    #[test]
    fn accepts_any_case_and_compares_ignoring_it() {
        let mixed: WalletAddress = ME.parse().unwrap();
        let lower: WalletAddress = ME.to_lowercase().parse().unwrap();
        let upper: WalletAddress = format!(" 0X{} ", &ME[2..].to_uppercase()).parse().unwrap();
        assert_eq!(mixed, lower);
        assert_eq!(mixed, upper);
        assert_eq!(mixed.as_str(), ME);
        assert_eq!(mixed.lower(), ME.to_lowercase());
        assert!(mixed.is(&ME.to_uppercase().replace("0X", "0x")));
    }

    #[test]
    fn refuses_everything_else_with_the_reason() {
        let cases = [
            ("", "Enter a wallet address"),
            ("B93A9c73751Bbca8E1924954271ee8d4De5747c9", "starts with 0x"),
            (
                "0xB93A9c73751Bbca8E1924954271ee8d4De5747c",
                "this one has 39",
            ),
            (
                "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9a",
                "this one has 41",
            ),
            (
                "0xG93A9c73751Bbca8E1924954271ee8d4De5747c9",
                "“G” is not a hexadecimal digit",
            ),
            ("0xB93A9c73751Bbca8E1924954271ee8d4De5747c9&page=1", "“&”"),
            ("0x B93A9c73751Bbca8E1924954271ee8d4De5747c9", "“ ”"),
        ];
        for (raw, expected) in cases {
            let error = raw.parse::<WalletAddress>().unwrap_err();
            assert!(error.contains(expected), "{raw}: {error}");
        }
    }

    #[test]
    fn short_form_keeps_both_ends() {
        assert_eq!(short_address(ME), "0xB93A…47c9");
        assert_eq!(short_address("0x12"), "0x12");
    }
}
