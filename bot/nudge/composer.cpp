#include "nudge/composer.hpp"

#include "core/json_document.hpp"
#include "core/read_file.hpp"
#include "nudge/composer_restatements.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

namespace nudgebot::nudge {

using core::json_document;

// ---------------------------------------------------------------- library

std::optional<suggestion_library> parse_suggestions(std::string_view text, const std::string& file_name,
                                                    core::diagnostics& diags)
{
    auto doc = json_document::parse(text, file_name, diags);
    if (!doc) return std::nullopt;
    const auto errors_before = diags.items().size();
    auto failed = [&] {
        for (std::size_t i = errors_before; i < diags.items().size(); ++i)
            if (diags.items()[i].severity == core::severity::error) return true;
        return false;
    };
    suggestion_library lib;
    doc->check_keys("", {"families", "situations", "restatements", "crisis_card"}, diags);

    std::map<std::string, std::size_t> family_index;
    if (const auto* families = doc->expect_object("/families", diags, true)) {
        for (const auto& [id, _] : families->items()) {
            auto at = json_document::child("/families", id);
            doc->check_keys(at, {"label", "gentle", "direct", "defaults"}, diags);
            suggestion_family f;
            f.id = id;
            if (const auto* label = doc->expect_string(json_document::child(at, "label"), diags, true))
                f.label = *label;
            for (auto [key, list] : {std::pair{"gentle", &f.gentle}, std::pair{"direct", &f.direct}}) {
                auto list_at = json_document::child(at, key);
                if (const auto* arr = doc->expect_array(list_at, diags, true)) {
                    for (std::size_t i = 0; i < arr->size(); ++i) {
                        const auto* s = doc->expect_string(json_document::child(list_at, i), diags);
                        if (!s) continue;
                        if (s->empty() || s->size() > 400)
                            doc->error_at(json_document::child(list_at, i),
                                          "a suggestion must have 1 to 400 characters", diags);
                        else
                            list->push_back(*s);
                    }
                }
            }
            if (f.gentle.empty() && f.direct.empty())
                doc->error_at(at, "family \"" + id + "\" has no suggestions", diags);
            auto defaults_at = json_document::child(at, "defaults");
            if (const auto* defaults = doc->expect_object(defaults_at, diags)) {
                for (const auto& [slot, __] : defaults->items())
                    if (const auto* v = doc->expect_string(json_document::child(defaults_at, slot), diags))
                        f.defaults[slot] = *v;
            }
            family_index[id] = lib.families.size();
            lib.families.push_back(std::move(f));
        }
    }
    if (const auto* situations = doc->expect_object("/situations", diags, true)) {
        for (const auto& [id, _] : situations->items()) {
            auto at = json_document::child("/situations", id);
            auto s = parse_situation(id);
            if (!s) {
                doc->error_at_key(at, "unknown situation \"" + id + "\"", diags);
                continue;
            }
            if (const auto* arr = doc->expect_array(at, diags)) {
                for (std::size_t i = 0; i < arr->size(); ++i) {
                    const auto* name = doc->expect_string(json_document::child(at, i), diags);
                    if (!name) continue;
                    auto it = family_index.find(*name);
                    if (it == family_index.end())
                        doc->error_at(json_document::child(at, i), "unknown family \"" + *name + "\"", diags);
                    else
                        lib.situations[static_cast<std::size_t>(*s)].push_back(it->second);
                }
            }
        }
    }
    parse_restatements(*doc, lib.restatements, diags);
    if (doc->expect_object("/crisis_card", diags, true)) {
        doc->check_keys("/crisis_card", {"text", "neutral", "country", "workplace", "buttons"}, diags);
        if (const auto* t = doc->expect_string("/crisis_card/text", diags, true)) lib.crisis_text = *t;
        if (const auto* t = doc->expect_string("/crisis_card/neutral", diags)) lib.crisis_neutral = *t;
        if (const auto* t = doc->expect_string("/crisis_card/country", diags)) lib.crisis_country = *t;
        if (const auto* t = doc->expect_string("/crisis_card/workplace", diags)) lib.crisis_workplace = *t;
        const bool has_slot = lib.crisis_text.find("{resources}") != std::string::npos;
        if (has_slot && (lib.crisis_neutral.empty() || lib.crisis_country.empty()))
            doc->error_at("/crisis_card", "a card text with {resources} needs \"neutral\" and \"country\"", diags);
        if (!lib.crisis_country.empty() && (lib.crisis_country.find("{country}") == std::string::npos ||
                                            lib.crisis_country.find("{line}") == std::string::npos))
            doc->error_at("/crisis_card/country", "the country wording needs {country} and {line}", diags);
        if (!lib.crisis_workplace.empty() && lib.crisis_workplace.find("{workplace}") == std::string::npos)
            doc->error_at("/crisis_card/workplace", "the workplace wording needs {workplace}", diags);
        if (const auto* b = doc->expect_array("/crisis_card/buttons", diags, true)) {
            for (std::size_t i = 0; i < b->size(); ++i)
                if (const auto* s = doc->expect_string(json_document::child("/crisis_card/buttons", i), diags))
                    lib.crisis_buttons.push_back(*s);
            if (lib.crisis_buttons.size() != 2)
                doc->error_at("/crisis_card/buttons", "the crisis card needs exactly two buttons", diags);
        }
    }
    if (failed()) return std::nullopt;
    return lib;
}

std::optional<suggestion_library> load_suggestions(const std::string& path, core::diagnostics& diags)
{
    auto text = core::read_file(path, diags, "suggestion library");
    if (!text) return std::nullopt;
    return parse_suggestions(*text, path, diags);
}

std::unique_ptr<composer> load_composer(const std::string& rules_dir, core::diagnostics& diags)
{
    auto library = load_suggestions((std::filesystem::path(rules_dir) / "suggestions.json").string(), diags);
    crisis_directory crisis;
    const auto crisis_path = crisis_resources_path(rules_dir);
    if (std::filesystem::exists(crisis_path)) {
        auto loaded = load_crisis_resources(crisis_path, diags);
        if (!loaded) return nullptr;
        crisis = std::move(*loaded);
    }
    if (!library) return nullptr;
    return std::make_unique<composer>(std::move(*library), std::move(crisis));
}

// ---------------------------------------------------------------- buttons

namespace {
constexpr std::string_view action_codes = "hnsdx";
constexpr std::size_t custom_id_limit = 100;
}

std::string button_id(button_action action, situation s, engine::category c, const std::string& server,
                      std::string_view rule)
{
    std::string id = "nb1|";
    id += action_codes[static_cast<std::size_t>(action)];
    id += '|';
    id += to_string(s);
    id += '|';
    id += engine::to_string(c);
    id += '|';
    id += server;
    id += '|';
    // The rule only labels a counter: cut it rather than exceed the platform's limit.
    if (id.size() < custom_id_limit) id += rule.substr(0, custom_id_limit - id.size());
    return id;
}

std::optional<button_meaning> parse_button_id(std::string_view custom_id)
{
    if (custom_id.size() > custom_id_limit || custom_id.substr(0, 4) != "nb1|") return std::nullopt;
    std::vector<std::string_view> parts;
    std::string_view rest = custom_id.substr(4);
    for (;;) {
        auto bar = rest.find('|');
        parts.push_back(rest.substr(0, bar));
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
    }
    if (parts.size() != 5 || parts[0].size() != 1) return std::nullopt;
    auto code = action_codes.find(parts[0][0]);
    auto s = parse_situation(parts[1]);
    auto c = engine::parse_category(parts[2]);
    if (code == std::string_view::npos || !s || !c) return std::nullopt;
    auto id_ok = [](std::string_view v) {
        return std::all_of(v.begin(), v.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-';
        });
    };
    if (!id_ok(parts[3]) || !id_ok(parts[4])) return std::nullopt;
    return button_meaning{static_cast<button_action>(code), *s, *c, std::string(parts[3]), std::string(parts[4])};
}

// ---------------------------------------------------------------- composing

bool reads_as_feeling(std::string_view feeling)
{
    // A harsh judgement of oneself is not a feeling: "I felt worthless" or "It sounds like you're
    // feeling useless" would hand the judgement back as if it were one. Words about oneself
    // ("mad at myself", "losing my mind") and swear words do not fit a line either, and
    // "hopeless", a warning sign, is never echoed.
    static constexpr std::array<std::string_view, 22> judgements{
        "worthless", "useless", "pathetic", "stupid", "dumb", "incompetent", "a failure", "failure",
        "a burden", "burden", "a mess", "a wreck", "weak", "lazy", "hopeless", "a joke", "an idiot",
        "not good enough", "shitty", "crappy", "fucked", "screwed"};
    if (std::find(judgements.begin(), judgements.end(), feeling) != judgements.end()) return false;
    const std::string padded = " " + std::string(feeling) + " ";
    for (std::string_view self : {" me ", " my ", " myself ", " i ", " i'm "})
        if (padded.find(self) != std::string::npos) return false;
    return true;
}

std::optional<std::string> fill_slots(std::string_view text, const std::map<std::string, std::string>& defaults,
                                      std::string_view feeling, std::string_view situation_phrase)
{
    if (!reads_as_feeling(feeling)) feeling = {};
    std::string out;
    out.reserve(text.size() + 16);
    std::size_t i = 0;
    while (i < text.size()) {
        auto open = text.find('{', i);
        if (open == std::string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        auto close = text.find('}', open);
        if (close == std::string_view::npos) return std::nullopt;
        out.append(text.substr(i, open - i));
        auto slot = text.substr(open + 1, close - open - 1);
        if (slot == "feeling" && !feeling.empty()) {
            out.append(feeling);
        } else if (slot == "situation" && !situation_phrase.empty()) {
            out.append(situation_phrase);
        } else {
            auto it = defaults.find(std::string(slot));
            if (it == defaults.end()) return std::nullopt;
            out.append(it->second);
        }
        i = close + 1;
    }
    return out;
}

composer::composer(suggestion_library library, crisis_directory crisis)
    : library_(std::move(library)), crisis_(std::move(crisis))
{}

std::optional<composer::pick> composer::choose(situation s, storage::style style, const core::user_id& user,
                                               std::string_view feeling, std::uint32_t avoid_family,
                                               std::string_view situation_phrase, bool remember)
{
    struct candidate {
        std::uint32_t key;
        const suggestion_family* family;
        const std::string* text;
    };
    std::vector<candidate> all;
    for (auto fi : library_.situations[static_cast<std::size_t>(s)]) {
        const auto& f = library_.families[fi];
        if (fi == avoid_family) continue;
        const auto& list = style == storage::style::direct && !f.direct.empty() ? f.direct
                           : !f.gentle.empty()                                  ? f.gentle
                                                                                : f.direct;
        for (std::size_t ti = 0; ti < list.size(); ++ti) {
            // With a situation phrase, only the lines that name it (they fit this message best).
            const bool names_it = list[ti].find("{situation}") != std::string::npos;
            if (situation_phrase.empty() == names_it) continue;   // lines that name it need a phrase
            all.push_back({static_cast<std::uint32_t>(fi << 16 | ti), &f, &list[ti]});
        }
    }
    if (all.empty()) return std::nullopt;
    if (rotation_.size() >= max_rotation_users && !rotation_.count(user.str())) rotation_.clear();
    auto& rot = rotation_[user.str()];
    auto seen = [&](std::uint32_t key) {
        for (std::uint32_t i = 0; i < std::min<std::uint32_t>(rot.filled, rotation_memory); ++i)
            if (rot.recent[i] == key) return true;
        return false;
    };
    // Two passes: first avoid what this person saw recently, then accept anything that fills
    // except what they saw last (never the same line twice in a row while there is another).
    const std::uint32_t last_key = rot.filled > 0 ? rot.recent[(rot.filled - 1) % rotation_memory] : ~0u;
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t n = 0; n < all.size(); ++n) {
            auto idx = (rot.next + n) % all.size();
            const auto& c = all[idx];
            if (pass == 0 && seen(c.key)) continue;
            if (pass == 1 && remember && all.size() > 1 && c.key == last_key) continue;
            auto text = fill_slots(*c.text, c.family->defaults, feeling, situation_phrase);
            if (!text) continue;
            if (remember) {
                rot.recent[rot.filled % rotation_memory] = c.key;
                ++rot.filled;
                // (indexes of the shorter list of lines naming a situation would pull the
                // rotation of the full list back to its start)
                if (situation_phrase.empty()) rot.next = static_cast<std::uint32_t>(idx + 1);
            }
            return pick{std::move(*text), c.family};
        }
    }
    return std::nullopt;
}

std::string composer::explain_cues(const engine::analysis& analysis, engine::category c)
{
    // One short line: the two strongest rules in plain words, then the loud features in two words.
    std::vector<const engine::cue*> cues;
    for (const auto& cue : analysis.cues)
        if (cue.cat == c && !cue.label.empty()) cues.push_back(&cue);
    std::stable_sort(cues.begin(), cues.end(), [](auto* a, auto* b) { return a->weight > b->weight; });
    std::vector<std::string_view> labels;
    for (const auto* cue : cues) {
        if (labels.size() == 2) break;
        if (cue->rule_id.find(".mod_") != std::string_view::npos) continue;   // modifiers: see below
        if (std::find(labels.begin(), labels.end(), cue->label) == labels.end()) labels.push_back(cue->label);
    }
    if (labels.empty() && !cues.empty()) labels.push_back(cues.front()->label);
    if (c == engine::category::conflict) {
        if (analysis.features.shouting) labels.push_back("all caps");
        if (analysis.features.question_burst) labels.push_back("'?" "?'");
    }
    std::string out;
    for (auto l : labels) {
        if (!out.empty()) out += " + ";
        out += l;
    }
    return out;
}

std::string composer::present_draft(const calmer_draft& draft)
{
    std::string out = "A calmer draft of your message (" + draft.reason() + "):\n";
    std::size_t at = 0;
    while (at <= draft.text.size()) {
        auto nl = draft.text.find('\n', at);
        out += "> ";
        out.append(draft.text, at, nl == std::string::npos ? std::string::npos : nl - at);
        out += '\n';
        if (nl == std::string::npos) break;
        at = nl + 1;
    }
    out += "Copy it if it fits, or change it as you like. nudgebot never sends anything for you.";
    return out;
}

core::private_message composer::compose(const decision& d, storage::style style,
                                        const engine::analysis& analysis, const std::string& server,
                                        const extras& x)
{
    if (d.situation == situation::own_crisis) return crisis_card(server, x.crisis);
    core::private_message msg;
    std::optional<pick> chosen;
    if (x.draft && d.situation == situation::own_heated) chosen = pick{present_draft(*x.draft), nullptr};
    else chosen = choose(d.situation, style, d.recipient, analysis.feeling);
    auto cues = explain_cues(analysis, d.category);
    if (cues.empty()) cues = "the tone";
    std::string why;
    switch (d.situation) {
    case situation::targeted: why = cues + ", in a message aimed at you"; break;
    case situation::escalation: why = cues + ", and the back-and-forth between you two is heating up"; break;
    case situation::dismissive_reply:
    case situation::kind_reply: why = cues + ", in your reply"; break;
    default: why = cues + ", in your message"; break;
    }
    msg.text = "**nudgebot** · a private suggestion (only you can see this)\n";
    msg.text += chosen ? chosen->text : std::string("Maybe take a moment before the next reply.");
    msg.text += "\n*Why:* " + why + ".";
    msg.text += "\n*You turned these on with /nudge on; /nudge off turns them off.*";
    if (msg.text.size() > 2000) msg.text.resize(2000);
    msg.buttons = {
        {button_id(button_action::helpful, d.situation, d.category, server, d.rule), "Helpful",
         core::button_style::primary},
        {button_id(button_action::not_now, d.situation, d.category, server, d.rule), "Not now",
         core::button_style::secondary},
        {button_id(button_action::stop, d.situation, d.category, server, d.rule), "Stop these",
         core::button_style::danger},
    };
    return msg;
}

std::string composer::crisis_text(const crisis_choice& choice) const
{
    const auto& card = library_.crisis_text;
    auto slot = card.find("{resources}");
    if (slot == std::string::npos) return card;
    std::string resources;
    if (const auto* line = crisis_.find(choice.country); line && !library_.crisis_country.empty()) {
        resources = library_.crisis_country;
        for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"{country}", &line->country_name},
                                   {"{line}", &line->line}}) {
            auto at = resources.find(name);
            if (at != std::string::npos) resources.replace(at, name.size(), *value);
        }
    } else {
        resources = library_.crisis_neutral;
    }
    if (!choice.workplace.empty() && !library_.crisis_workplace.empty()) {
        auto w = library_.crisis_workplace;
        auto line = choice.workplace;
        if (line.back() != '.' && line.back() != '!' && line.back() != '?' && line.back() != ')') line += '.';
        w.replace(w.find("{workplace}"), 11, line);
        resources += ' ';
        resources += w;
    }
    std::string out = card;
    out.replace(slot, 11, resources);
    if (out.size() > 2000) out.resize(2000);
    return out;
}

core::private_message composer::crisis_card(const std::string& server, const crisis_choice& choice) const
{
    core::private_message msg;
    msg.text = crisis_text(choice);
    const auto& labels = library_.crisis_buttons;
    msg.buttons = {
        {button_id(button_action::crisis_dismiss, situation::own_crisis, engine::category::crisis, server, ""),
         labels.size() > 0 ? labels[0] : "Dismiss", core::button_style::secondary},
        {button_id(button_action::crisis_never, situation::own_crisis, engine::category::crisis, server, ""),
         labels.size() > 1 ? labels[1] : "Don't show me these", core::button_style::secondary},
    };
    return msg;
}

std::vector<std::string> composer::suggestions(situation s, storage::style style, const core::user_id& user,
                                               std::string_view feeling, std::size_t count,
                                               std::string_view situation_phrase)
{
    std::vector<std::string> out;
    std::uint32_t last_family = ~0u;
    // A line that names the situation first, when the message gave one and the library has one.
    if (!situation_phrase.empty() && count > 0) {
        if (auto p = choose(s, style, user, feeling, ~0u, situation_phrase)) {
            last_family = static_cast<std::uint32_t>(p->family - library_.families.data());
            out.push_back(std::move(p->text));
        }
    }
    // Only the first line of a call enters the person's rotation (it is the one read first, and
    // so the one that must not repeat); the others are picked after it in the same order.
    for (std::size_t i = out.size(); i < count; ++i) {
        const bool first = out.empty();
        auto p = choose(s, style, user, feeling, last_family, {}, first);
        if (!p) p = choose(s, style, user, feeling, ~0u, {}, first);
        if (!p) break;
        if (std::find(out.begin(), out.end(), p->text) != out.end()) break;
        last_family = static_cast<std::uint32_t>(p->family - library_.families.data());
        out.push_back(std::move(p->text));
    }
    return out;
}

}  // namespace nudgebot::nudge
