//! Reading a `.safetensors` header — the first 8 bytes (header length, little endian) and the
//! JSON after them — to count parameters without touching tensor data.

use std::collections::BTreeMap;

use serde_json::Value;

/// The largest header accepted (the format's own limit is 100 MB).
pub const MAX_HEADER: u64 = 100 * 1024 * 1024;

/// What a header says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Parameters: the sum over tensors of the product of their shape.
    pub parameters: u64,
    /// Number of tensors.
    pub tensors: usize,
    /// Parameters per dtype (`BF16`, `F32`, …).
    pub by_dtype: BTreeMap<String, u64>,
    /// Whether tensor names look like a LoRA adapter (`lora_A` / `lora_B`).
    pub looks_like_lora: bool,
}

/// The header length stated by the first 8 bytes, checked against the file size.
pub fn header_len(prefix: &[u8], file_size: u64) -> Result<u64, String> {
    let bytes: [u8; 8] = prefix
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or("The file is shorter than a safetensors header (8 bytes).")?;
    let len = u64::from_le_bytes(bytes);
    if len == 0 || len > MAX_HEADER || len + 8 > file_size {
        return Err(format!(
            "The file does not start with a valid safetensors header (it states {len} header bytes)."
        ));
    }
    Ok(len)
}

/// Read the JSON header (the `len` bytes after the first 8).
pub fn parse_header(json: &[u8]) -> Result<Summary, String> {
    let value: Value = serde_json::from_slice(json)
        .map_err(|e| format!("The safetensors header is not valid JSON: {e}."))?;
    let Value::Object(map) = value else {
        return Err("The safetensors header is not a JSON object.".into());
    };
    let mut summary = Summary::default();
    for (name, tensor) in &map {
        if name == "__metadata__" {
            continue;
        }
        let shape = tensor
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("Tensor “{name}” has no shape."))?;
        let mut count: u64 = 1;
        for dim in shape {
            let dim = dim
                .as_u64()
                .ok_or_else(|| format!("Tensor “{name}” has a shape that is not whole numbers."))?;
            count = count
                .checked_mul(dim)
                .ok_or_else(|| format!("Tensor “{name}” is impossibly large."))?;
        }
        let dtype = tensor
            .get("dtype")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        *summary.by_dtype.entry(dtype).or_default() += count;
        summary.parameters = summary.parameters.saturating_add(count);
        summary.tensors += 1;
        if name.contains("lora_A") || name.contains("lora_B") {
            summary.looks_like_lora = true;
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: usize) -> Vec<u8> {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.resize(bytes.len() + data, 0);
        bytes
    }

    #[test]
    fn counts_parameters_from_the_header_alone() {
        let header = r#"{"__metadata__":{"format":"pt"},"a.weight":{"dtype":"BF16","shape":[4096,4096],"data_offsets":[0,33554432]},"a.bias":{"dtype":"F32","shape":[4096],"data_offsets":[33554432,33570816]}}"#;
        let bytes = file(header, 64);
        let len = header_len(&bytes, bytes.len() as u64).unwrap_or(0);
        assert_eq!(len as usize, header.len());
        let summary = parse_header(&bytes[8..8 + len as usize]).unwrap_or_default();
        assert_eq!(summary.parameters, 4096 * 4096 + 4096);
        assert_eq!(summary.tensors, 2);
        assert_eq!(summary.by_dtype.get("F32"), Some(&4096));
        assert!(!summary.looks_like_lora);
    }

    #[test]
    fn recognises_lora_tensors() {
        let header = r#"{"base_model.model.layers.0.q_proj.lora_A.weight":{"dtype":"F32","shape":[16,4096],"data_offsets":[0,1]}}"#;
        assert!(parse_header(header.as_bytes())
            .is_ok_and(|s| s.looks_like_lora && s.parameters == 65_536));
    }

    #[test]
    fn refuses_files_that_are_not_safetensors() {
        assert!(header_len(b"abc", 3).is_err());
        assert!(header_len(&u64::MAX.to_le_bytes(), 1 << 40).is_err());
        assert!(
            header_len(&100u64.to_le_bytes(), 50).is_err(),
            "header longer than the file"
        );
        assert!(parse_header(b"[1,2]").is_err());
        assert!(parse_header(br#"{"t":{"dtype":"F32"}}"#).is_err());
        assert!(parse_header(br#"{"t":{"dtype":"F32","shape":[-1]}}"#).is_err());
    }
}
