// An output directory written as a unit (docs/outputs.md). The files go to a private staging directory beside
// OUT (same file system); commit() writes OUT/manifest.json (every file with its size and SHA-256), then swaps
// the staging directory into place with one atomic rename (renameat2 RENAME_EXCHANGE when OUT exists) and
// removes the previous contents. Whatever happens on the way (an error, a full disk, a kill), OUT is either
// its previous complete set of files or the new one: never a mix, never stale files of an earlier run.
//
// Concurrency and leftovers: staging directories are named `.<OUT name>.holo-tmp-<pid>-<random>`. Under a
// short lock on the parent directory, the constructor removes those whose process is gone (killed runs) and
// refuses to start (OUT-BUSY) while another live process stages the same OUT.
//
// Safety: OUT is replaced only when it is empty, or holds exactly the files its manifest lists, or (an OUT
// written before manifests existed) only files of `legacy_names`; otherwise OUT-FOREIGN (holo never deletes a
// file it did not write).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace holo {

struct ManifestEntry {
  std::string name;
  int64_t bytes = 0;
  std::string sha256;
};

struct Manifest {
  std::string producer;  // e.g. "holo compile"
  std::string version;   // holo version that wrote it
  std::vector<ManifestEntry> files;
  const ManifestEntry* find(const std::string& name) const;
};

inline constexpr const char* kManifestName = "manifest.json";

struct OutputDirOptions {
  std::string producer;                   // recorded in the manifest
  std::vector<std::string> legacy_names;  // files an OUT of an earlier holo (no manifest) may hold
};

class OutputDir {
 public:
  // Errors: CLI-MISSING-OPTION (empty path), OUT-NOT-DIRECTORY, OUT-FOREIGN, OUT-BUSY, FILE-WRITE.
  OutputDir(const std::string& out, OutputDirOptions opts);
  ~OutputDir();  // not committed: the staging directory is removed and OUT is untouched
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  const std::string& out() const { return out_; }          // OUT as given
  const std::string& staging() const { return staging_; }  // where the files go before commit()
  std::string file(const std::string& name) const;         // staging()/name

  // Writes the manifest and puts the staged files in place as OUT (see above). Errors: OUT-FOREIGN (files
  // appeared in OUT meanwhile), FILE-WRITE.
  void commit();

 private:
  std::string out_, target_, parent_, staging_;
  OutputDirOptions opts_;
  bool committed_ = false;
};

// The manifest of a directory, or nullopt when it has none. OUT-MANIFEST when it exists but is not a valid
// manifest.
std::optional<Manifest> read_manifest(const std::string& dir);

}  // namespace holo
