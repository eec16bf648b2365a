# Build step: writes OUT, a C++ source that holds the sandbox page's files (index.html, app.css,
# app.js from DIR) as byte arrays behind std::string_view, so the executable serves them with no
# files next to it while the files themselves stay real HTML, CSS and JavaScript in the tree.
#   cmake -DDIR=<bot/sandbox/page> -DOUT=<file.cpp> -P embed.cmake
set(body "// Generated from bot/sandbox/page/ by embed.cmake at build time. Do not edit.\n")
string(APPEND body "#include <string_view>\n\nnamespace nudgebot::sandbox::page_files {\n\n")
foreach(pair "index.html;index_html" "app.css;app_css" "app.js;app_js")
  list(GET pair 0 file)
  list(GET pair 1 name)
  file(READ "${DIR}/${file}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){32})" "\\1\n" bytes "${bytes}")
  string(APPEND body "namespace { constexpr char ${name}_bytes[] = {\n${bytes}'\\0'};\n}\n")
  string(APPEND body "extern const std::string_view ${name}{${name}_bytes, ${size}};\n\n")
endforeach()
string(APPEND body "}  // namespace nudgebot::sandbox::page_files\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
