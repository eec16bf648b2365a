#include "nudge/library_lint.hpp"

#include <array>
#include <cctype>
#include <optional>
#include <string>

namespace nudgebot::nudge {

namespace {

constexpr std::array<std::string_view, 40> misspellings{
    "recieve",   "seperate",   "definately", "occured",   "untill",     "wich",      "thier",     "teh",
    "adress",    "acheive",    "beleive",    "concious",  "enviroment", "goverment", "neccessary", "occassion",
    "persue",    "publically", "tommorow",   "wierd",     "arguement",  "accomodate", "calender", "embarass",
    "existance", "grammer",    "harrass",    "independant", "noticable", "occurence", "posession", "reccomend",
    "refered",   "relevent",   "succesful",  "truely",    "unfortunatly", "alot",    "youre",     "dont"};

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Walks the {slots} of a line: each slot's name goes to `fill`, which reports what is wrong with
// it and returns the words that stand in for it. Returns the filled line, or nullopt after
// reporting an unbalanced brace.
template <class Report, class Fill>
std::optional<std::string> filled_line(std::string_view text, const Report& report, Fill&& fill)
{
    std::string filled;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '}') {
            report("a '}' without its '{'");
            return std::nullopt;
        }
        if (text[i] != '{') {
            filled.push_back(text[i]);
            continue;
        }
        const auto close = text.find('}', i);
        if (close == std::string_view::npos) {
            report("a '{' without its '}'");
            return std::nullopt;
        }
        filled += fill(text.substr(i + 1, close - i - 1));
        i = close;
    }
    return filled;
}

void lint_line(std::string_view where, std::string_view text, const std::map<std::string, std::string>& defaults,
               std::vector<std::string>& problems)
{
    auto report = [&](std::string what) { problems.push_back(std::string(where) + ": " + what); };
    const auto filled = filled_line(text, report, [&](std::string_view name) -> std::string_view {
        const std::string slot(name);
        if (slot == "feeling" && !defaults.count("feeling")) report("{feeling} without a default feeling");
        else if (slot != "feeling" && slot != "situation" && !defaults.count(slot)) report("unknown slot {" + slot + "}");
        return slot == "situation" ? "the release crunch" : "tired";
    });
    if (!filled) return;
    for (auto& p : lint_text(*filled)) report(p);
}

// A restatement line: {thing} (the things the message names) is its only slot, in every line of
// "thing_asks" and in no other line.
void lint_restatement_line(std::string_view where, std::string_view text, bool thing_line,
                           std::vector<std::string>& problems)
{
    auto report = [&](std::string what) { problems.push_back(std::string(where) + ": " + what); };
    bool thing = false;
    const auto filled = filled_line(text, report, [&](std::string_view slot) -> std::string_view {
        if (slot != "thing") report("unknown slot {" + std::string(slot) + "}");
        else if (!thing_line) report("{thing} outside \"thing_asks\"");
        thing = thing || slot == "thing";
        return "`make check`";
    });
    if (!filled) return;
    if (thing_line && !thing) report("a \"thing_asks\" line without {thing}");
    for (auto& p : lint_text(*filled)) report(p);
}

}  // namespace

std::vector<std::string> lint_text(std::string_view text)
{
    std::vector<std::string> problems;
    if (text.empty()) return {"empty text"};
    if (text.find("  ") != std::string_view::npos) problems.emplace_back("a doubled space");
    for (std::string_view bad : {" ,", " .", " ?", " !", " ;", " :"}) {
        // " ..." is an ellipsis standing for the reader's own words, not a stray space.
        for (auto at = text.find(bad); at != std::string_view::npos; at = text.find(bad, at + 1)) {
            if (bad == " ." && text.substr(at, 4) == " ...") continue;
            problems.push_back("a space before '" + std::string(bad.substr(1)) + "'");
            break;
        }
    }
    std::size_t quotes = 0;
    for (char c : text) quotes += c == '"';
    if (quotes % 2) problems.emplace_back("an unpaired double quote");
    const unsigned char first = static_cast<unsigned char>(text.front());
    if (!(std::isupper(first) || std::isdigit(first) || first == '"' || first >= 0x80))
        problems.emplace_back("does not start with a capital letter");
    const char last = text.back();
    if (last != '.' && last != '?' && last != '!' && last != '"' && last != ')')
        problems.emplace_back("does not end with closing punctuation");
    // Words: doubled ones and common misspellings.
    std::string previous;
    for (std::size_t i = 0; i < text.size();) {
        if (!std::isalpha(static_cast<unsigned char>(text[i]))) {
            if (text[i] != ' ') previous.clear();   // "that. That" is not a doubled word
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && (std::isalpha(static_cast<unsigned char>(text[j])) || text[j] == '\'')) ++j;
        auto w = lowered(text.substr(i, j - i));
        if (w == previous) problems.push_back("the doubled word \"" + w + " " + w + "\"");
        for (auto m : misspellings)
            if (w == m) problems.push_back("the misspelling \"" + w + "\"");
        previous = w;
        i = j;
    }
    return problems;
}

std::vector<std::string> lint_library(const composer& c)
{
    std::vector<std::string> problems;
    const auto& lib = c.library();
    for (const auto& f : lib.families) {
        for (auto [style, list] : {std::pair{"gentle", &f.gentle}, std::pair{"direct", &f.direct}})
            for (std::size_t i = 0; i < list->size(); ++i)
                lint_line("family " + f.id + ", " + style + " line " + std::to_string(i + 1), (*list)[i], f.defaults,
                          problems);
    }
    for (std::size_t i = 0; i < restatement_families.size(); ++i) {
        const auto& w = lib.restatements[i];
        const auto at = "restatements." + std::string(restatement_families[i]);
        // The reason phrases read inside the reason line.
        for (auto& p : lint_text("Calmer draft (without " + w.leaves_out + ", " + w.said_as + ")."))
            problems.push_back(at + ", leaves_out and said_as: " + p);
        for (auto [key, list] : {std::pair{"feelings", &w.feelings}, std::pair{"asks", &w.asks},
                                 std::pair{"thing_asks", &w.thing_asks}})
            for (std::size_t n = 0; n < list->size(); ++n)
                lint_restatement_line(at + ", " + key + " line " + std::to_string(n + 1), (*list)[n],
                                      std::string_view(key) == "thing_asks", problems);
    }
    auto card = [&](const std::string& where, const crisis_choice& choice) {
        auto text = c.crisis_text(choice);
        if (text.find('{') != std::string::npos) problems.push_back(where + ": a slot left unfilled");
        for (auto& p : lint_text(text)) problems.push_back(where + ": " + p);
    };
    card("crisis card (neutral)", {});
    card("crisis card (with a workplace line)", {"", "Our assistance line: 0800 000 000."});
    for (const auto& [code, line] : c.crisis_resources().countries) card("crisis card for " + code, {code, ""});
    return problems;
}

}  // namespace nudgebot::nudge
