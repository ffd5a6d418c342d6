// dermasim/io/hdf5.hpp — HDF5 output of grids, field snapshots and time series (dermasim::io).
//
// Layout (see docs/guide.md, "File layout"):
//   /grid/x, /grid/y, /grid/z (cell centres, m), /grid/z_faces (m)
//   /times (s, extendable)
//   /fields/<name>  (t, z, y, x), chunked one snapshot per chunk, gzip-compressed
//   /outcomes/<metric>  1D series over /outcomes/<metric>_t or /times
//   root attributes: free-form strings and numbers (scenario JSON, units, version, seed, ...)
// Files are built in memory (HDF5's core driver) and written by commit() through
// write_sealed(): one checked write path for every dermasim file (the Python result files and
// checkpoints use it too). Why in memory: when HDF5 itself hit a full disk, datasets that
// could not be flushed stayed in its ID table and its exit handler crashed the process
// (signal 11). A failure anywhere (a full disk, a lost mount) throws io_error naming <path>,
// removes the temporary file and leaves an existing file at <path> untouched; a writer
// destroyed without commit() writes nothing.
//
// The seal: every file starts with an HDF5 user block of kSealBytes (HDF5 data follows at that
// offset; HDF5 tools skip it) holding
//   "dermasim-seal 1\nfnv1a64 <16 hex digits>\nbytes <n>\n" and zero padding:
// the FNV-1a 64-bit digest (core/hash.hpp) and length of every byte after the block, computed
// from the bytes in memory. After writing, the file is read back and checked against it, so
// a write that did not reach the disk intact is caught before the rename; readers check it
// before anything else, so a later change of any byte is detected.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"

namespace dermasim::io {

class H5Writer {
 public:
  explicit H5Writer(const std::string& path);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  const std::string& path() const { return path_; }

  void write_grid(const Grid& g);
  /// Appends a snapshot of the named species (all if empty) at time t (s).
  void append_snapshot(const FieldSet& f, double t, const std::vector<std::string>& species = {});
  /// Writes an n-dimensional array of doubles at a slash path (groups are created).
  void write_array(const std::string& name, const std::vector<double>& data,
                   const std::vector<std::size_t>& dims);
  /// Root (or object, via "obj_path@attr") string and number attributes.
  void set_attribute(const std::string& key, const std::string& value);
  void set_attribute(const std::string& key, double value);
  /// Flush, close and atomically rename onto the final path.
  void commit();

 private:
  struct Impl;
  [[noreturn]] void abandon(const std::string& what);
  std::unique_ptr<Impl> impl_;
  std::string path_;
  bool committed_ = false;
};

/// Size of the user block that holds the seal (HDF5 needs a power of two >= 512).
inline constexpr std::size_t kSealBytes = 512;

/// Writes an HDF5 file image (`n` bytes, as H5Fget_file_image gives it, for a file created
/// with a kSealBytes user block) to `path` sealed: to "<path>.tmp-<pid>" with checked writes,
/// fsync, read back and checked against the seal, then renamed onto `path` (the directory is
/// fsynced, best effort). On failure: io_error naming `path`, no temporary file left, the
/// previous file unchanged.
void write_sealed(const std::string& path, const void* image, std::size_t n);

/// Whether `path` is sealed and intact: "sealed" (seal present and digest matches),
/// "unsealed" (a plain HDF5 file with no user block, as written before format_version 2);
/// throws io_error naming the file if the seal or any byte it covers is damaged.
std::string verify_seal(const std::string& path);

/// Reads a dataset of doubles; dims receives its shape. Throws io_error naming the file and
/// dataset if the file is missing, not HDF5, corrupt (its seal is checked first) or lacks the
/// dataset.
std::vector<double> read_array(const std::string& path, const std::string& dataset,
                               std::vector<std::size_t>* dims = nullptr);
/// Reads a root string attribute.
std::string read_string_attribute(const std::string& path, const std::string& key);
/// Names of the datasets in a group ("/fields", "/outcomes", ...).
std::vector<std::string> list_group(const std::string& path, const std::string& group);

}  // namespace dermasim::io
