// dermasim/io/hdf5.hpp — HDF5 output of grids, field snapshots and time series (dermasim::io).
//
// Layout (see docs/guide.md, "File layout"):
//   /grid/x, /grid/y, /grid/z (cell centres, m), /grid/z_faces (m)
//   /times (s, extendable)
//   /fields/<name>  (t, z, y, x), chunked one snapshot per chunk, gzip-compressed
//   /outcomes/<metric>  1D series over /outcomes/<metric>_t or /times
//   root attributes: free-form strings and numbers (scenario JSON, units, version, seed, ...)
// Files are written atomically and verified: everything goes to "<path>.tmp-<pid>"; commit()
// flushes and closes it, seals it (below), fsyncs it, re-reads it to check the seal and only
// then renames it onto <path> (and fsyncs the directory). Every HDF5, write, fsync and rename
// call is checked; a failure (a full disk, a lost mount) throws io_error naming <path>, removes
// the temporary file and leaves an existing file at <path> untouched. A writer destroyed
// without commit() removes its temporary file.
//
// The seal: every file reserves an HDF5 user block of kSealBytes at its start (HDF5 then
// starts at that offset). After closing, the block is filled with
//   "dermasim-seal 1\nfnv1a64 <16 hex digits>\nbytes <n>\n" and zero padding,
// the FNV-1a 64-bit digest and length of every byte after the block. verify_seal() checks the
// whole block (header and padding) and the digest, so any change of any byte of the file is
// detected (FNV-1a detects every single-byte change with certainty; multi-byte collisions
// have probability ~2^-64). Python writes its result files and checkpoints with the same seal
// (dermasim._core.seal_file / verify_seal).
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

  struct Impl;  // opaque (src/io/hdf5.cpp)

 private:
  std::unique_ptr<Impl> impl_;
  std::string path_, tmp_;
  bool committed_ = false;
};

/// Size of the user block that holds the seal (HDF5 needs a power of two >= 512).
inline constexpr std::size_t kSealBytes = 512;

/// Writes the seal of `path` (a closed HDF5 file created with a kSealBytes user block) into
/// its user block and fsyncs the file. Throws io_error naming `path` on any failed call.
void seal_file(const std::string& path);

/// Whether `path` is sealed and intact: "sealed" (seal present and digest matches),
/// "unsealed" (a plain HDF5 file with no user block, e.g. written by dermasim < 0.3);
/// throws io_error naming the file if the seal or any byte it covers is damaged.
std::string verify_seal(const std::string& path);

/// fsync of a file and of its directory (so a following rename is durable); io_error on failure.
void fsync_path(const std::string& path, bool directory_too);

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
