//! The one ordering rule every sortable list shares: present values in the asked direction,
//! missing ones (`null` in the API's answer) last whichever the direction.

use std::cmp::Ordering;

/// Compare `a` and `b`, largest first when `descending`; `None` sorts after every value.
pub fn missing_last<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let order = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
            if descending {
                order.reverse()
            } else {
                order
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_go_last_in_both_directions() {
        let mut xs = vec![Some(2.0), None, Some(1.0), Some(3.0)];
        xs.sort_by(|a, b| missing_last(*a, *b, false));
        assert_eq!(xs, vec![Some(1.0), Some(2.0), Some(3.0), None]);
        xs.sort_by(|a, b| missing_last(*a, *b, true));
        assert_eq!(xs, vec![Some(3.0), Some(2.0), Some(1.0), None]);
    }
}
