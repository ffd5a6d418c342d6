#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dermasim/core/version.hpp"
#include "dermasim/io/hdf5.hpp"

using namespace dermasim;

TEST_CASE("io: grid, snapshots and attributes round-trip; files appear atomically") {
  const std::string path = "test_io_roundtrip.h5";
  std::remove(path.c_str());
  Grid g(3, 2, 3e-3, 2e-3, {0.0, 1e-4, 3e-4, 6e-4});
  FieldSet f(g, {"a", "b"});
  for (std::size_t c = 0; c < g.size(); ++c) {
    f[0][c] = double(c);
    f[1][c] = -double(c);
  }
  {
    io::H5Writer w(path);
    w.write_grid(g);
    w.append_snapshot(f, 0.0);
    for (auto& v : f[0]) v += 100;
    w.append_snapshot(f, 60.0);
    w.set_attribute("scenario", std::string("{\"x\": 1}"));
    w.set_attribute("seed", 42.0);
    CHECK(access(path.c_str(), F_OK) != 0);  // nothing at the final path before commit
    w.commit();
  }
  std::vector<std::size_t> dims;
  auto a = io::read_array(path, "/fields/a", &dims);
  REQUIRE(dims.size() == 4);
  CHECK(dims[0] == 2);
  CHECK(dims[1] == 3);
  CHECK(dims[2] == 2);
  CHECK(dims[3] == 3);
  CHECK(a[g.size() + 5] == 105.0);
  CHECK(io::read_array(path, "/times")[1] == 60.0);
  CHECK(io::read_array(path, "/grid/z_faces").size() == 4);
  CHECK(io::read_string_attribute(path, "scenario") == "{\"x\": 1}");
  auto names = io::list_group(path, "/fields");
  CHECK(names.size() == 2);
  std::remove(path.c_str());
}

TEST_CASE("io: the whole result layout: grid, snapshots, outcome rows (NaN-filled), series, tables, attributes") {
  const std::string path = "test_io_layout.h5";
  std::remove(path.c_str());
  Grid g(3, 2, 3e-3, 2e-3, {0.0, 1e-4, 3e-4, 6e-4});
  FieldSet f(g, {"a", "b"});
  for (std::size_t c = 0; c < g.size(); ++c) {
    f[0][c] = double(c);
    f[1][c] = 0.5 * double(c);
  }
  {
    io::H5Writer w(path, 6);
    w.write_grid(g, {0, 1, 2});
    w.append_snapshot(f, 0.0);
    for (auto& v : f[0]) v += 100;
    w.append_snapshot(f, 60.0);
    w.append_outcomes(0.0, {{"erythema", 1.0}});
    w.append_outcomes(30.0, {{"erythema", 0.5}, {"collagen", 0.1}});  // collagen appears late
    w.append_outcomes(60.0, {{"collagen", 0.2}});                      // erythema missing
    CHECK_THROWS_AS(w.append_outcomes(90.0, {{"time", 1.0}}), invalid_argument);  // reserved
    w.write_summary("gain", 0.25);
    io::TableColumn index{"index", {1, 2}, {}, false}, label{"label", {}, {"first", "zweite \u00e9"}, true};
    w.write_table("sessions", {index, label});
    w.set_attribute("scenario", std::string("{\"x\": 1}"));
    w.set_attribute("seed", 42);
    w.set_attribute("threads", std::int64_t(4));
    w.set_attribute("ratio", 0.5);
    w.set_attribute("note", std::string("of a dataset"), "/fields/a");
    w.set_units({{"a", "ng/mL"}, {"b", "µm"}});
    CHECK_THROWS_AS(w.set_attribute("x", 1, "/no/such"), invalid_argument);  // the writer stays usable
    w.commit(false);
  }
  CHECK(io::verify_seal(path) == "sealed");
  CHECK(io::read_array(path, "/grid/x_faces") == std::vector<double>{0.0, 1e-3, 2e-3, 3e-3});
  CHECK(io::read_array(path, "/grid/y_faces").size() == 3);
  CHECK(io::read_array(path, "/grid/z_faces").size() == 4);
  CHECK(io::read_array(path, "/grid/layer") == std::vector<double>{0, 1, 2});
  std::vector<std::size_t> dims;
  const auto a = io::read_array(path, "/fields/a", &dims);
  CHECK(dims == std::vector<std::size_t>{2, 3, 2, 3});
  CHECK(a[g.size() + 5] == 105.0);
  CHECK(io::read_array(path, "/fields/b")[g.size() + 5] == 2.5);
  CHECK(io::read_array(path, "/times") == std::vector<double>{0.0, 60.0});
  CHECK(io::read_array(path, "/outcomes/time") == std::vector<double>{0.0, 30.0, 60.0});
  const auto ery = io::read_array(path, "/outcomes/erythema"), col = io::read_array(path, "/outcomes/collagen");
  REQUIRE(ery.size() == 3);
  REQUIRE(col.size() == 3);
  CHECK((ery[0] == 1.0 && ery[1] == 0.5 && std::isnan(ery[2])));
  CHECK((std::isnan(col[0]) && col[1] == 0.1 && col[2] == 0.2));
  CHECK(io::list_group(path, "/outcomes") == std::vector<std::string>{"collagen", "erythema", "time"});
  CHECK(io::read_array(path, "/summary/gain") == std::vector<double>{0.25});
  CHECK(io::read_array(path, "/tables/sessions/index") == std::vector<double>{1, 2});
  CHECK(io::read_strings(path, "/tables/sessions/label") == std::vector<std::string>{"first", "zweite \u00e9"});
  CHECK(io::read_string_attribute(path, "columns", "/tables/sessions") == "[\"index\", \"label\"]");
  CHECK(io::read_string_attribute(path, "format") == "dermasim-result");
  CHECK(io::read_string_attribute(path, "version") == std::string(dermasim::version));
  CHECK(io::read_string_attribute(path, "units") == "{\"a\": \"ng/mL\", \"b\": \"\\u00b5m\"}");
  CHECK(io::read_string_attribute(path, "scenario") == "{\"x\": 1}");
  CHECK(io::read_string_attribute(path, "note", "/fields/a") == "of a dataset");
  CHECK(io::read_integer_attribute(path, "format_version") == 2);
  CHECK(io::read_integer_attribute(path, "complete") == 0);
  CHECK(io::read_integer_attribute(path, "seed") == 42);
  CHECK(io::read_integer_attribute(path, "threads") == 4);
  std::remove(path.c_str());
}

TEST_CASE("io: invalid input is refused before anything changes; a failed writer is closed") {
  const std::string path = "test_io_refused.h5";
  Grid g(2, 1, 2e-3, 1e-3, {0.0, 1e-4});
  FieldSet f(g, {"a", "b"});
  io::H5Writer w(path);
  CHECK_THROWS_AS(w.append_snapshot(f, 0.0), invalid_argument);  // no grid yet
  w.write_grid(g);
  CHECK_THROWS_AS(w.write_grid(g), invalid_argument);
  w.append_snapshot(f, 0.0, {"a"});
  CHECK_THROWS_WITH_AS(w.append_snapshot(f, 1.0), doctest::Contains("after the first snapshot"), invalid_argument);
  CHECK_THROWS_WITH_AS(w.append_snapshot(f, 1.0, {"b"}), doctest::Contains("'b'"), invalid_argument);
  CHECK_THROWS_AS(w.write_outcome_series({0.0, 1.0}, {{"m", {1.0}}}), invalid_argument);  // length
  w.write_outcome_series({0.0, 1.0}, {{"m", {1.0, 2.0}}});
  CHECK_THROWS_AS(w.write_outcome_series({0.0, 1.0}, {{"m", {1.0, 2.0}}}), invalid_argument);  // twice
  w.append_outcomes(2.0, {{"n", 3.0}});
  CHECK_THROWS_AS(w.write_table("t", {{"c", {1.0}, {}, false}, {"d", {}, {}, true}}), invalid_argument);
  CHECK_THROWS_AS(w.write_summary("a/b", 1.0), invalid_argument);
  w.commit();
  CHECK_THROWS_WITH_AS(w.write_summary("late", 1.0), doctest::Contains("closed"), io_error);
  CHECK(io::read_array(path, "/outcomes/m").size() == 3);
  CHECK(std::isnan(io::read_array(path, "/outcomes/m")[2]));
  CHECK(std::isnan(io::read_array(path, "/outcomes/n")[0]));
  CHECK(io::read_array(path, "/times").size() == 1);
  CHECK(io::list_group(path, "/fields") == std::vector<std::string>{"a"});
  std::remove(path.c_str());
}

TEST_CASE("io: a checkpoint-like file: bytes and attributes, none of the result attributes") {
  const std::string path = "test_io_bytes.h5";
  const std::string payload("\x01\x02\x00\xff", 4);
  {
    io::H5Writer w(path);
    w.set_attribute("format", std::string("dermasim-checkpoint"));
    w.write_bytes("payload", payload.data(), payload.size());
    w.write_bytes("/empty", nullptr, 0);
    w.commit();
  }
  CHECK(io::read_array(path, "/payload") == std::vector<double>{1, 2, 0, 255});
  CHECK(io::read_array(path, "/empty").empty());
  CHECK(io::read_string_attribute(path, "format") == "dermasim-checkpoint");
  CHECK_THROWS_AS(io::read_string_attribute(path, "version"), io_error);
  CHECK(io::list_group(path, "/") == std::vector<std::string>{"empty", "payload"});
  std::remove(path.c_str());
}

TEST_CASE("io: an uncommitted writer leaves an existing file untouched") {
  const std::string path = "test_io_keep.h5";
  {
    io::H5Writer w(path);
    w.write_array("/x", {1.0, 2.0}, {2});
    w.commit();
  }
  {
    io::H5Writer w(path);
    w.write_array("/x", {9.0}, {1});
    // destroyed without commit (e.g. an exception mid-run)
  }
  CHECK(io::read_array(path, "/x").size() == 2);
  std::remove(path.c_str());
}

TEST_CASE("io: missing, foreign and corrupt files give io_error naming the file") {
  CHECK_THROWS_WITH_AS(io::read_array("no_such_file.h5", "/x"), doctest::Contains("no_such_file.h5"),
                       io_error);
  {
    std::ofstream o("not_hdf5.h5");
    o << "this is not an HDF5 file";
  }
  CHECK_THROWS_WITH_AS(io::read_array("not_hdf5.h5", "/x"), doctest::Contains("not an HDF5 file"),
                       io_error);
  std::remove("not_hdf5.h5");
  {
    io::H5Writer w("trunc.h5");
    std::vector<double> big(100000, 1.0);
    w.write_array("/x", big, {big.size()});
    w.commit();
  }
  truncate("trunc.h5", 2000);
  CHECK_THROWS_AS(io::read_array("trunc.h5", "/x"), io_error);
  std::remove("trunc.h5");
  CHECK_THROWS_AS(io::H5Writer("/nonexistent_dir/x.h5"), io_error);
}

namespace {
std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void spit(const std::string& p, const std::string& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(b.data(), std::streamsize(b.size()));
}
}  // namespace

TEST_CASE("io: the seal detects a flipped bit in every byte of a file; unsealed files are told apart") {
  const std::string path = "test_io_seal.h5";
  {
    io::H5Writer w(path);
    w.write_array("/x", {1.0, 2.0, 3.0}, {3});
    w.set_attribute("scenario", std::string("{\"a\": 1}"));
    w.commit();
  }
  CHECK(io::verify_seal(path) == "sealed");
  const std::string good = slurp(path);
  REQUIRE(good.size() > io::kSealBytes);
  CHECK(good.compare(0, 14, "dermasim-seal ") == 0);
  std::size_t detected = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = char(bad[i] ^ (1 << (i % 8)));
    spit(path, bad);
    try {
      (void)io::verify_seal(path);
    } catch (const io_error& e) {
      ++detected;
      if (std::string(e.what()).find(path) == std::string::npos) FAIL("message does not name the file: " << e.what());
    }
  }
  CHECK(detected == good.size());  // every byte, the seal block (header and padding) included
  spit(path, good.substr(0, good.size() - 1));
  CHECK_THROWS_WITH_AS(io::verify_seal(path), doctest::Contains("truncated"), io_error);
  spit(path, good + "x");
  CHECK_THROWS_AS(io::verify_seal(path), io_error);
  spit(path, good.substr(io::kSealBytes));  // the HDF5 part alone: a plain, unsealed HDF5 file
  CHECK(io::verify_seal(path) == "unsealed");
  std::remove(path.c_str());
}

// A write that fails half-way (here: the file size limit, which fails write() with EFBIG as a
// full disk fails it with ENOSPC) throws io_error naming the file, keeps the previous file and
// leaves no temporary file. Run in a child process, which gets the limit.
TEST_CASE("io: a failed write keeps the previous file, leaves no temporary file and names the path") {
  const std::string path = "test_io_full.h5";
  {
    io::H5Writer w(path);
    w.write_array("/x", {42.0}, {1});
    w.commit();
  }
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl{64 * 1024, 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &rl);
    int code = 1;
    try {
      io::H5Writer w(path);
      std::vector<double> big(1 << 18, 1.0);  // 2 MB
      w.write_array("/x", big, {big.size()});
      w.commit();
      code = 2;  // should not get here
    } catch (const io_error& e) {
      const std::string m = e.what();
      code = m.find("'" + path + "'") != std::string::npos ? 0 : 3;
    } catch (...) {
      code = 4;
    }
    std::exit(code);  // runs HDF5's exit handlers: a half-closed file crashed there
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));  // no crash
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(io::read_array(path, "/x") == std::vector<double>{42.0});
  CHECK(access((path + ".tmp-" + std::to_string(pid)).c_str(), F_OK) != 0);
  std::remove(path.c_str());
}
