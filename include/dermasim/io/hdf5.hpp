// dermasim/io/hdf5.hpp — HDF5 result files and checkpoints (dermasim::io).
//
// H5Writer is the one writer of dermasim's HDF5 files: the Python ResultWriter and
// write_checkpoint (python/dermasim/io.py) are thin wrappers over it. The result layout
// (docs/guide.md, "File layout"; format_version 2):
//   /grid/x, /grid/y, /grid/z            cell centres (m); /grid/x_faces, y_faces, z_faces (m)
//   /grid/layer                          int8 layer index of each z cell (optional)
//   /times                               snapshot times (s), extendable
//   /fields/<name>                       float64 (t, z, y, x), chunked one snapshot per chunk,
//                                        shuffle + gzip at the writer's compression level
//   /outcomes/time                       outcome sampling times (s), extendable
//   /outcomes/<metric>                   one value per /outcomes/time (NaN where a row lacks it)
//   /summary/<metric>                    float64 scalars
//   /tables/<table>/<column>             float64 or UTF-8 variable-length strings; the column
//                                        order in the group attribute "columns" (JSON list)
//   root attributes: format ("dermasim-result"), format_version (2), version (library),
//                    complete (0/1), units (JSON: name -> unit), and free ones (scenario JSON,
//                    seed, threads, ...): strings (UTF-8, variable length), float64 or int64.
// write_grid() starts the layout (the grid, the empty /times, /fields and /outcomes/time, and
// format, format_version, version and complete = 0); commit() writes complete and units.
// A file without a grid (a checkpoint: write_bytes + attributes) gets none of these.
//
// Files are built in memory (HDF5's core driver) and written by commit(): the image is first
// opened and read back (every dataset and attribute), then written by write_sealed(), the one
// checked write path. Why in memory: when HDF5 itself hit a full disk, datasets that could not
// be flushed stayed in its ID table and its exit handler crashed the process (signal 11). A
// failure anywhere (a full disk, a lost mount, an image that does not read back) throws
// io_error naming <path>, removes the temporary file and leaves an existing file at <path>
// untouched; the writer is then closed (later calls throw io_error). A writer destroyed (or
// abort()ed) without commit() writes nothing. Invalid input (mismatched sizes, a field that
// appears after the first snapshot, 'time' as a metric, an existing name) throws
// invalid_argument before anything is changed; the writer stays usable.
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
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"

namespace dermasim::io {

/// The /grid group: cell centres and faces (m) of each axis (faces: one more value than
/// centres) and, optionally, the layer index (0 SC ... 4 HY) of each z cell.
struct GridAxes {
  std::vector<double> x, y, z, x_faces, y_faces, z_faces;
  std::vector<std::int8_t> layer;  ///< empty: no /grid/layer

  /// The axes of a Grid: x and y faces at i * (lx / nx) (the last one lx).
  static GridAxes of(const Grid& g, std::vector<std::int8_t> layer = {});
};

/// One field of a snapshot: `size` = nz * ny * nx values in (z, y, x) order, x fastest.
struct FieldData {
  std::string name;
  const double* values = nullptr;
  std::size_t size = 0;
};

/// A table column: numbers (stored as float64) or, with is_text, UTF-8 strings.
struct TableColumn {
  std::string name;
  std::vector<double> numbers;
  std::vector<std::string> text;
  bool is_text = false;
};

class H5Writer {
 public:
  /// `compression`: the gzip level (0..9) of /fields; 0 stores them without shuffle or gzip.
  explicit H5Writer(const std::string& path, int compression = 4);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  const std::string& path() const { return path_; }

  /// Writes /grid and starts the result layout (see the top of this header); once per file.
  void write_grid(const GridAxes& axes);
  void write_grid(const Grid& g, std::vector<std::int8_t> layer = {});

  /// Appends a snapshot at time t (s). The fields of the first snapshot are those of every
  /// snapshot (each of the grid's nz * ny * nx values).
  void append_snapshot(double t, const std::vector<FieldData>& fields);
  /// The named species of `f` (all if empty).
  void append_snapshot(const FieldSet& f, double t, const std::vector<std::string>& species = {});

  /// Appends one outcome row at time t (s): a metric missing from the row is NaN there, a
  /// metric seen for the first time is NaN in the earlier rows; "time" is reserved.
  void append_outcomes(double t, const std::vector<std::pair<std::string, double>>& row);
  /// Writes whole outcome series (each the length of `times`). If rows or series were written
  /// before, `times` must equal their times; a metric may be written once.
  void write_outcome_series(const std::vector<double>& times,
                            const std::vector<std::pair<std::string, std::vector<double>>>& series);
  /// /summary/<metric> (once per metric).
  void write_summary(const std::string& metric, double value);
  /// /tables/<name>/<column> and the group attribute "columns" (JSON list, in this order);
  /// the columns have one length.
  void write_table(const std::string& name, const std::vector<TableColumn>& columns);
  /// The root attribute "units" (JSON object, in this order) that commit() writes.
  void set_units(std::vector<std::pair<std::string, std::string>> units);

  /// Writes an n-dimensional array of doubles (no dims: a scalar) at a slash path (groups are
  /// created).
  void write_array(const std::string& name, const std::vector<double>& data,
                   const std::vector<std::size_t>& dims);
  /// Writes `n` bytes as a 1-D uint8 dataset (a checkpoint's payload).
  void write_bytes(const std::string& name, const void* data, std::size_t n);

  /// Attributes of the root group, or of the existing group or dataset `object`: strings
  /// (UTF-8, variable length), float64 and int64 (any integer type; a bool is a double).
  /// An existing attribute of that name is replaced.
  void set_attribute(const std::string& key, const std::string& value, const std::string& object = "/");
  void set_attribute(const std::string& key, double value, const std::string& object = "/");
  void set_attribute(const std::string& key, std::int64_t value, const std::string& object = "/");
  /// uint64 (a seed of 2^63 or more keeps every bit).
  void set_attribute(const std::string& key, std::uint64_t value, const std::string& object = "/");
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool> &&
                                          !std::is_same_v<I, std::int64_t> && !std::is_same_v<I, std::uint64_t>,
                                      int> = 0>
  void set_attribute(const std::string& key, I value, const std::string& object = "/") {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8)
      set_attribute(key, static_cast<std::uint64_t>(value), object);
    else
      set_attribute(key, static_cast<std::int64_t>(value), object);
  }

  /// Writes complete (0/1) and units if the layout was started, builds the image, reads it
  /// back and writes it sealed onto the final path (write_sealed). Once; then the writer is
  /// closed. commit() = write_image(finish(complete)).
  void commit(bool complete = true);
  /// The part of commit() that calls HDF5: complete and units, the image, its read-back.
  /// Afterwards the in-memory file is closed and only write_image may follow.
  std::string finish(bool complete = true);
  /// Writes an image from finish() sealed onto the final path (no HDF5 call: a binding may
  /// release its interpreter lock around it).
  void write_image(const std::string& image);
  /// Drops the in-memory file without writing anything; later calls throw io_error.
  void abort();

 private:
  struct Impl;
  template <class Write>
  void guarded(Write&& write);
  [[noreturn]] void abandon(const std::string& what);
  void require_open() const;
  void require_grid(const char* what) const;
  void require_object(const std::string& object, const std::string& key) const;
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
/// Reads a 1-D dataset of strings (a table's text column).
std::vector<std::string> read_strings(const std::string& path, const std::string& dataset);
/// Reads a string attribute of the root (or of the group or dataset `object`).
std::string read_string_attribute(const std::string& path, const std::string& key,
                                  const std::string& object = "/");
/// Reads an integer attribute (format_version, complete, seed, ...); io_error if it is not
/// an integer.
std::int64_t read_integer_attribute(const std::string& path, const std::string& key,
                                    const std::string& object = "/");
/// Names of the datasets in a group ("/fields", "/outcomes", ...).
std::vector<std::string> list_group(const std::string& path, const std::string& group);

}  // namespace dermasim::io
