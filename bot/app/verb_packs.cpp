// load_packs_for_verb(): how every offline verb loads the rule packs and says when it cannot.
#include "app/verbs.hpp"

#include <ostream>

#include "core/diagnostics.hpp"
#include "engine/analyzer.hpp"

namespace nudgebot::app {

std::shared_ptr<const engine::analyzer> load_packs_for_verb(std::string_view verb,
                                                            const std::string& rules_dir,
                                                            std::ostream& err)
{
    core::diagnostics diags;
    auto analyzer = engine::load_rules(rules_dir, diags);
    diags.print(err);
    if (!analyzer) {
        std::size_t errors = 0;
        for (const auto& d : diags.items()) errors += d.severity == core::severity::error ? 1 : 0;
        err << "nudgebot " << verb << ": the rule packs in " << rules_dir << " did not load (" << errors
            << (errors == 1 ? " error" : " errors") << ")\n";
    }
    return analyzer;
}

}  // namespace nudgebot::app
