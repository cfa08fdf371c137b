// The corpus replay: a main() for a fuzz target built without libFuzzer. Runs
// LLVMFuzzerTestOneInput once on every file under the given directories (or
// on the given files), in name order, so the normal test suite checks every
// committed corpus input on every build. A crash or a failed FUZZ_CHECK
// aborts; the file name printed just before it says which input it was.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional in a target, as with libFuzzer.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

bool collect(const fs::path& root, std::vector<fs::path>& files) {
  std::error_code error;
  if (fs::is_regular_file(root, error)) {
    files.push_back(root);
    return true;
  }
  if (!fs::is_directory(root, error)) {
    std::fprintf(stderr, "replay: %s: not a file or directory\n", root.c_str());
    return false;
  }
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) files.push_back(it->path());
  }
  if (error) {
    std::fprintf(stderr, "replay: %s: %s\n", root.c_str(), error.message().c_str());
    return false;
  }
  return true;
}

// The input in a heap block of exactly its size, as libFuzzer passes it, so
// that a sanitizer build catches a read one past the end.
bool replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  auto data = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(bytes.size(), 1));
  std::copy(bytes.begin(), bytes.end(), data.get());
  std::printf("replay: %s (%zu octets)\n", file.c_str(), bytes.size());
  std::fflush(stdout);
  LLVMFuzzerTestOneInput(data.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!collect(argv[i], files)) return 1;
  }
  // A replay of nothing would pass without checking anything.
  if (files.empty()) {
    std::fprintf(stderr, "replay: no corpus files found\n");
    return 1;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    if (!replay(file)) return 1;
  }
  std::printf("replay: %zu inputs, no crash\n", files.size());
  return 0;
}
