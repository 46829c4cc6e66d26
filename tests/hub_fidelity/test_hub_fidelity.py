"""Fidelity test of the sandbox Hub: the official `huggingface_hub` client creates a repo,
uploads a folder (small files, an LFS file, and a file large enough for multipart with the
sandbox's small test threshold), then downloads every file back byte-identical.

Run by tests/tools/test.sh with HF_ENDPOINT pointing at the sandbox Hub and HF_HUB_DISABLE_XET=1.
Plain `python3 -m unittest` style so it needs nothing beyond the client itself.
"""

import hashlib
import json
import os
import shutil
import tempfile
import unittest
import urllib.request
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_XET", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

from huggingface_hub import HfApi, hf_hub_download  # noqa: E402

ENDPOINT = os.environ["HF_ENDPOINT"]
CONTROL = os.environ["SANDBOX_URL"] + "/__sandbox/"
TOKEN = "hf_sandboxWriteTokenAlice0000000000000"
MIB = 1024 * 1024


def control(path, body):
    request = urllib.request.Request(
        CONTROL + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


class HubFidelity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Small knobs so that a 7 MiB file goes multipart in 2 MiB parts.
        control("hub", {"multipart_threshold": 5 * MIB, "chunk_size": 2 * MIB,
                        "url_ttl_secs": 900, "lfs_size_threshold": 10 * MIB})
        cls.api = HfApi(endpoint=ENDPOINT, token=TOKEN)
        cls.folder = Path(tempfile.mkdtemp(prefix="hub-fidelity-"))
        (cls.folder / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 64}))
        (cls.folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Sandbox model\n")
        (cls.folder / "tokenizer").mkdir()
        (cls.folder / "tokenizer" / "tokenizer_config.json").write_text('{"model_max_length": 2048}')
        rng = hashlib.sha256(b"seed")
        blob = bytearray()
        while len(blob) < 3 * MIB:
            rng = hashlib.sha256(rng.digest())
            blob += rng.digest() * 64
        # A random tail makes the objects new to the sandbox's content-addressed storage, so
        # they are really uploaded even when the sandbox already served an earlier run.
        unique = os.urandom(16)
        (cls.folder / "adapter_model.safetensors").write_bytes(bytes(blob[: 3 * MIB + 17]) + unique)
        (cls.folder / "big.bin").write_bytes(bytes(blob) * 2 + b"tail" * 300_000 + unique)  # > 5 MiB: multipart

    @classmethod
    def tearDownClass(cls):
        control("hub", {})
        shutil.rmtree(cls.folder, ignore_errors=True)

    def test_round_trip(self):
        repo = "alice/fidelity-" + os.urandom(4).hex()
        url = self.api.create_repo(repo, exist_ok=False)
        self.assertTrue(str(url).startswith(ENDPOINT))
        # A second create with exist_ok reads the url from the 409 answer.
        self.assertEqual(str(self.api.create_repo(repo, exist_ok=True)), str(url))
        info = self.api.upload_folder(repo_id=repo, folder_path=str(self.folder), commit_message="Upload from the fidelity test")
        self.assertRegex(info.oid, r"^[0-9a-f]{40}$")
        files = sorted(self.api.list_repo_files(repo))
        self.assertEqual(files, sorted([".gitattributes", "README.md", "adapter_model.safetensors",
                                        "big.bin", "config.json", "tokenizer/tokenizer_config.json"]))
        tree = {e.path: e for e in self.api.list_repo_tree(repo, recursive=True)}
        self.assertIsNotNone(tree["big.bin"].lfs)
        self.assertEqual(tree["big.bin"].lfs.sha256, sha256(self.folder / "big.bin"))
        self.assertIsNone(tree["config.json"].lfs)
        out = Path(tempfile.mkdtemp(prefix="hub-download-"))
        self.addCleanup(shutil.rmtree, out, True)
        for name in [f for f in files if f != ".gitattributes"]:
            got = hf_hub_download(repo, name, endpoint=ENDPOINT, token=TOKEN, cache_dir=str(out))
            self.assertEqual(sha256(got), sha256(self.folder / name), name)
        # A second upload of the same folder sends no object again and makes no change.
        again = self.api.upload_folder(repo_id=repo, folder_path=str(self.folder), commit_message="Again")
        self.assertIsNotNone(again)
        # The token went to the Hub API only: never to storage or completion URLs.
        with urllib.request.urlopen(CONTROL + "log") as answer:
            log = json.load(answer)
        storage = [r for r in log if r["path"].startswith("/__storage/")]
        # The completion URL is a Hub route (as on the real Hub), signed like storage URLs.
        completion = [r for r in log if r["path"].startswith("/api/complete_multipart/")]
        self.assertTrue(any("/parts/" in r["path"] for r in storage), "multipart was used")
        self.assertTrue(completion, "completion was called")
        for r in storage + completion:
            names = [k for k, _ in r["headers"]]
            self.assertNotIn("authorization", names, r["path"])
        self.api.delete_repo(repo)

    def test_model_info_reads_as_the_submit_checks_read_it(self):
        # What flockboard's checks before submitting read: private, the files at a revision,
        # and the safetensors summary, as the official client parses them.
        repo = "alice/info-" + os.urandom(4).hex()
        self.api.create_repo(repo, private=False)
        header = json.dumps({"__metadata__": {"format": "pt"},
                             "a": {"dtype": "BF16", "shape": [64, 32], "data_offsets": [0, 4096]},
                             "b": {"dtype": "F32", "shape": [10], "data_offsets": [4096, 4136]}}).encode()
        weights = self.folder / "model.safetensors"
        weights.write_bytes(len(header).to_bytes(8, "little") + header + bytes(4136))
        self.addCleanup(weights.unlink)
        commit = self.api.upload_file(path_or_fileobj=str(weights), path_in_repo="model.safetensors", repo_id=repo).oid
        info = self.api.model_info(repo, revision=commit)
        self.assertFalse(info.private)
        self.assertEqual(info.sha, commit)
        self.assertIn("model.safetensors", [s.rfilename for s in info.siblings])
        self.assertEqual(info.safetensors.total, 64 * 32 + 10)
        self.assertEqual(info.safetensors.parameters, {"BF16": 64 * 32, "F32": 10})
        hidden = "alice/hidden-" + os.urandom(4).hex()
        self.api.create_repo(hidden, private=True)
        self.assertTrue(self.api.model_info(hidden).private)
        self.api.delete_repo(repo)
        self.api.delete_repo(hidden)


if __name__ == "__main__":
    unittest.main(verbosity=2)
