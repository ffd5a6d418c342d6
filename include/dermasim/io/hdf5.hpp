// dermasim/io/hdf5.hpp — HDF5 output of grids, field snapshots and time series (dermasim::io).
//
// Layout (see docs/guide.md, "File layout"):
//   /grid/x, /grid/y, /grid/z (cell centres, m), /grid/z_faces (m)
//   /times (s, extendable)
//   /fields/<name>  (t, z, y, x), chunked one snapshot per chunk, gzip-compressed
//   /outcomes/<metric>  1D series over /outcomes/<metric>_t or /times
//   root attributes: free-form strings and numbers (scenario JSON, units, version, seed, ...)
// Files are written atomically: everything goes to "<path>.tmp-<pid>" and is renamed onto
// <path> by commit(); a writer destroyed without commit() removes its temporary file, so an
// existing file at <path> is never half-overwritten.
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
  std::unique_ptr<Impl> impl_;
  std::string path_, tmp_;
  bool committed_ = false;
};

/// Reads a dataset of doubles; dims receives its shape. Throws io_error naming the file and
/// dataset if the file is missing, not HDF5, corrupt or lacks the dataset.
std::vector<double> read_array(const std::string& path, const std::string& dataset,
                               std::vector<std::size_t>* dims = nullptr);
/// Reads a root string attribute.
std::string read_string_attribute(const std::string& path, const std::string& key);
/// Names of the datasets in a group ("/fields", "/outcomes", ...).
std::vector<std::string> list_group(const std::string& path, const std::string& group);

}  // namespace dermasim::io
