//! The files the user gives the upload page — picked one by one, picked as a folder, or
//! dropped (files and whole folders) — each with its path in the repo
//! ([`crate::hub::repo::path_in_repo`]).

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, FileList, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry,
};

use crate::hub::repo::path_in_repo;
use crate::upload::PickedFile;

#[wasm_bindgen]
extern "C" {
    /// `File.webkitRelativePath`, which web-sys lacks: the path inside a picked folder.
    #[wasm_bindgen(extends = web_sys::File)]
    type FileWithPath;
    #[wasm_bindgen(method, getter, js_name = webkitRelativePath)]
    fn webkit_relative_path(this: &FileWithPath) -> String;
}

/// Files from a file input, with their paths in the repo.
pub fn picked(list: Option<FileList>) -> Vec<PickedFile> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|file| {
            let given = file.unchecked_ref::<FileWithPath>().webkit_relative_path();
            PickedFile {
                path: path_in_repo(&given, &file.name()),
                file,
            }
        })
        .collect()
}

/// What a drop holds. It must be taken during the drop event: the browser empties the
/// `DataTransfer` once the handler returns.
pub enum Dropped {
    /// Entries (files and folders) to walk.
    Entries(Vec<FileSystemEntry>),
    /// Plain files, from a browser without `webkitGetAsEntry`.
    Files(Vec<PickedFile>),
}

/// Take what a drop holds, now.
pub fn take_drop(transfer: Option<DataTransfer>) -> Dropped {
    let Some(transfer) = transfer else {
        return Dropped::Files(Vec::new());
    };
    let items = transfer.items();
    let entries: Vec<FileSystemEntry> = (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect();
    if entries.is_empty() {
        Dropped::Files(picked(transfer.files()))
    } else {
        Dropped::Entries(entries)
    }
}

/// Every file below the dropped entries, folders walked to the bottom.
pub async fn dropped_files(dropped: Dropped) -> Result<Vec<PickedFile>, String> {
    let mut stack = match dropped {
        Dropped::Files(files) => return Ok(files),
        Dropped::Entries(entries) => entries,
    };
    let mut files = Vec::new();
    while let Some(entry) = stack.pop() {
        if entry.is_directory() {
            let reader = entry
                .unchecked_ref::<FileSystemDirectoryEntry>()
                .create_reader();
            // readEntries hands out a folder's entries in batches, then an empty one.
            loop {
                let batch = callback_promise(|ok, fail| {
                    reader.read_entries_with_callback_and_callback(ok, fail)
                })
                .await
                .map_err(|_| {
                    format!(
                        "The browser could not read the folder {}.",
                        entry.full_path()
                    )
                })?;
                let batch = js_sys::Array::from(&batch);
                if batch.length() == 0 {
                    break;
                }
                stack.extend(batch.iter().map(|e| e.unchecked_into::<FileSystemEntry>()));
            }
        } else if entry.is_file() {
            let file = callback_promise(|ok, fail| {
                entry
                    .unchecked_ref::<FileSystemFileEntry>()
                    .file_with_callback_and_callback(ok, fail);
                Ok(())
            })
            .await
            .map_err(|_| format!("The browser could not read the file {}.", entry.full_path()))?
            .unchecked_into::<web_sys::File>();
            files.push(PickedFile {
                path: path_in_repo(&entry.full_path(), &file.name()),
                file,
            });
        }
    }
    Ok(files)
}

/// Await a callback-style browser call: `call(resolve, reject)`.
async fn callback_promise(
    call: impl FnOnce(&js_sys::Function, &js_sys::Function) -> Result<(), JsValue>,
) -> Result<JsValue, JsValue> {
    let mut call = Some(call);
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Some(call) = call.take() {
            if let Err(e) = call(&resolve, &reject) {
                let _ = reject.call1(&JsValue::NULL, &e);
            }
        }
    });
    JsFuture::from(promise).await
}
