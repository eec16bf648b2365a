// load_rules(): the engine's only I/O, isolated in this one file. DESIGN.md's "the engine does
// no I/O" holds for everything else in bot/engine/: compile_rules() compiles packs from memory and
// analyze() is pure.
//
// Contract: called once at start-up (or on an explicit reload), never on the traffic path. It
// lists `dir` (every *.json except suggestions.json, scoring.json and learned.json, sorted by
// name), reads each file (at most 8 MiB) into a pack_source, reads dir/scoring.json and, when
// present, dir/learned.json (the learned signal's model, not a pack), and hands the texts to
// compile_rules(). Unreadable files are reported as `dir/<name>:0:0: error: ...` with the pack
// errors; the result is nullptr when there is any error. Threading: safe to call from any thread
// (it shares nothing). Owner: engine.
#include <algorithm>
#include <filesystem>

#include "core/read_file.hpp"
#include "engine/analyzer.hpp"

namespace nudgebot::engine {

namespace {

constexpr std::size_t max_pack_bytes = 8u << 20;   // a pack is hand-written text

// One file of the rules folder, reported under the name the packs' diagnostics use.
bool read_rules_file(const std::filesystem::path& path, std::string& out, core::diagnostics& diags,
                     const std::string& shown)
{
    auto file = core::read_file(path.string(), "rule pack", max_pack_bytes);
    if (!file.ok()) {
        diags.error(shown, 0, 0, file.error);
        return false;
    }
    out = std::move(file.text);
    return true;
}

}  // namespace

bool read_rule_sources(const std::string& dir, rule_sources& out, core::diagnostics& diags)
{
    namespace fs = std::filesystem;
    out = rule_sources{};
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        diags.error(dir, 0, 0, "rules folder not found");
        return false;
    }
    std::string prefix = dir;
    while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
    std::vector<std::string> names;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        auto name = it->path().filename().string();
        if (name.size() < 6 || name.substr(name.size() - 5) != ".json") continue;
        if (name == "suggestions.json" || name == "scoring.json" || name == "learned.json") continue;
        names.push_back(name);
    }
    if (ec) {
        diags.error(dir, 0, 0, "cannot list rules folder: " + ec.message());
        return false;
    }
    std::sort(names.begin(), names.end());
    bool ok = true;
    for (const auto& name : names) {
        pack_source source;
        source.file_name = prefix + "/" + name;
        if (read_rules_file(fs::path(dir) / name, source.text, diags, source.file_name))
            out.packs.push_back(std::move(source));
        else
            ok = false;
    }
    // scoring.json (required: compile_rules() reports it missing) and learned.json (optional).
    for (auto [name, slot] : {std::pair{"scoring.json", &out.scoring}, std::pair{"learned.json", &out.learned}}) {
        if (!fs::exists(fs::path(dir) / name, ec)) continue;
        pack_source source;
        source.file_name = prefix + "/" + name;
        if (read_rules_file(fs::path(dir) / name, source.text, diags, source.file_name))
            *slot = std::move(source);
        else
            ok = false;
    }
    return ok;
}

std::shared_ptr<const analyzer> load_rules(const std::string& dir, core::diagnostics& diags)
{
    rule_sources sources;
    if (!read_rule_sources(dir, sources, diags) && sources.packs.empty()) return nullptr;
    bool read_errors = diags.has_errors();
    auto compiled = compile_rules(sources.packs, sources.scoring ? &*sources.scoring : nullptr, diags,
                                  sources.learned ? &*sources.learned : nullptr);
    if (read_errors) return nullptr;
    return compiled;
}

}  // namespace nudgebot::engine
