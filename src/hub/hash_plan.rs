//! In what order, and in which worker, the files of an upload are hashed. Over a slow uplink
//! what matters is that the first byte leaves early and the link never waits, so each worker
//! first hashes one file alone (its hash is ready after one file's time, and that file can be
//! sent while the rest are hashed); the rest of its files follow in one pass, four at a time in
//! SIMD lanes when there are three or more (four in one pass cost about what two cost one by
//! one: tests/bench/upload.sh). Files are dealt to workers in turn, so that the first files of
//! the upload are the first ones hashed.

/// For each of at most `workers` workers, the batches it hashes one after the other (indexes
/// into the upload's files, in the given order).
pub fn plan(files: &[usize], workers: usize) -> Vec<Vec<Vec<usize>>> {
    let workers = workers.clamp(1, files.len().max(1));
    let mut dealt: Vec<Vec<usize>> = vec![Vec::new(); workers];
    for (n, &file) in files.iter().enumerate() {
        dealt[n % workers].push(file);
    }
    dealt
        .into_iter()
        .filter(|files| !files.is_empty())
        .map(|files| {
            let (first, rest) = files.split_at(1);
            let mut batches = vec![first.to_vec()];
            if !rest.is_empty() {
                batches.push(rest.to_vec());
            }
            batches
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_hashes_one_file_alone_first_then_the_rest_together() {
        // One core, four shards: the first shard alone, then three in lanes.
        assert_eq!(plan(&[0, 1, 2, 3], 1), vec![vec![vec![0], vec![1, 2, 3]]]);
        // Two cores: the first two shards are the first hashed, one per worker.
        assert_eq!(
            plan(&[0, 1, 2, 3], 2),
            vec![vec![vec![0], vec![2]], vec![vec![1], vec![3]]]
        );
        assert_eq!(
            plan(&[5, 6, 7, 8, 9, 10, 11, 12], 2),
            vec![
                vec![vec![5], vec![7, 9, 11]],
                vec![vec![6], vec![8, 10, 12]]
            ]
        );
    }

    #[test]
    fn fewer_files_than_workers_and_none_at_all() {
        assert_eq!(plan(&[3], 4), vec![vec![vec![3]]]);
        assert_eq!(plan(&[3, 4], 4), vec![vec![vec![3]], vec![vec![4]]]);
        assert!(plan(&[], 2).is_empty());
        assert_eq!(
            plan(&[1, 2], 0),
            vec![vec![vec![1], vec![2]]],
            "no core count: one worker"
        );
    }
}
