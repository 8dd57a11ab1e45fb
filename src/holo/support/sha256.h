// SHA-256 content hashes (OpenSSL's libcrypto): the identity of a compiled chip's model and PDK, and the
// manifest of an output directory. Hex digests are lower case, as sha256sum prints them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace holo {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  std::string hex();  // finishes the digest; the object is then spent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view bytes);

// The digest of a file's contents, read in blocks (memory for one block). Errors: FILE-NOT-FOUND,
// FILE-UNREADABLE.
std::string sha256_file(const std::string& path);

}  // namespace holo
