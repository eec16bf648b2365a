#include "nudge/composer_restatements.hpp"

#include <nlohmann/json.hpp>

namespace nudgebot::nudge {

using core::json_document;

void parse_restatements(const json_document& doc, restatement_library& out, core::diagnostics& diags)
{
    constexpr std::string_view section = "/restatements";
    if (!doc.expect_object(section, diags, true)) return;
    static_assert(restatement_families.size() == 8, "list every family in check_keys below");
    doc.check_keys(section,
                   {restatement_families[0], restatement_families[1], restatement_families[2],
                    restatement_families[3], restatement_families[4], restatement_families[5],
                    restatement_families[6], restatement_families[7]},
                   diags);
    for (std::size_t i = 0; i < restatement_families.size(); ++i) {
        const auto at = json_document::child(section, restatement_families[i]);
        if (!doc.expect_object(at, diags, true)) continue;
        doc.check_keys(at, {"leaves_out", "said_as", "feelings", "asks", "thing_asks"}, diags);
        auto& wording = out[i];
        for (auto [key, phrase] : {std::pair{"leaves_out", &wording.leaves_out}, std::pair{"said_as", &wording.said_as}}) {
            const auto phrase_at = json_document::child(at, key);
            const auto* s = doc.expect_string(phrase_at, diags, true);
            if (!s) continue;
            if (s->empty() || s->size() > 100)
                doc.error_at(phrase_at, "a reason phrase must have 1 to 100 characters", diags);
            else
                *phrase = *s;
        }
        for (auto [key, list] : {std::pair{"feelings", &wording.feelings}, std::pair{"asks", &wording.asks},
                                 std::pair{"thing_asks", &wording.thing_asks}}) {
            const auto list_at = json_document::child(at, key);
            const auto* arr = doc.expect_array(list_at, diags, true);
            if (!arr) continue;
            if (arr->empty()) doc.error_at(list_at, std::string("\"") + key + "\" needs at least one line", diags);
            for (std::size_t n = 0; n < arr->size(); ++n) {
                const auto line_at = json_document::child(list_at, n);
                const auto* s = doc.expect_string(line_at, diags);
                if (!s) continue;
                if (s->empty() || s->size() > 400)
                    doc.error_at(line_at, "a restatement line must have 1 to 400 characters", diags);
                else
                    list->push_back(*s);
            }
        }
    }
}

}  // namespace nudgebot::nudge
