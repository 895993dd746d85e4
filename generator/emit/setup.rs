//! What a person has to set up outside the generated code before the two ends
//! can talk: Flex's allowed embedders, the host page's CSP and iframe, and the
//! login cookies of a framed Flex; or, when the plugin frames the CRM page
//! (`app.embedding: host_in_flex`), the CRM page's `frame-ancestors`, its URL
//! per task, and its login inside a third-party frame.
//!
//! One table, rendered into docs/PROTOCOL.md on every generate, so the
//! advice follows the spec as it changes. (The workspace README gives the
//! same steps in prose with the values `flexgen new` started from: it is a
//! skeleton that cargo-generate can render too, before any plan exists, and
//! it points here for the current values.) Hints hold plain text; each
//! renderer escapes it for where it lands.

use crate::ir::{Direction, Embedding, Plan};

/// One thing to configure, with the exact values this spec needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupHint {
    /// Short title: `Flex "Allowed URLs"`.
    pub title: &'static str,
    /// Where it is set, for a person: a console page, a response header.
    pub place: &'static str,
    /// The exact entries or lines to add, one per element; copied verbatim.
    pub values: Vec<String>,
    /// Why it is needed, one or two sentences (may name origins or triggers).
    pub why: String,
}

/// A row of the table: when it applies, and how its values and reason read.
struct Rule {
    title: &'static str,
    place: &'static str,
    applies: fn(&Plan) -> bool,
    values: fn(&Plan) -> Vec<String>,
    why: fn(&Plan) -> String,
}

const RULES: &[Rule] = &[
    Rule {
        title: "Flex \"Allowed URLs\"",
        place: "Twilio Console, Flex settings page: Allowed URLs (one entry each)",
        applies: flex_in_host,
        values: |plan| plan.app.host_origins.clone(),
        why: |plan| {
            let why = "Flex sends these as the CSP frame-ancestors of its page: a host page \
                       whose origin is not listed cannot frame Flex at all. Full origins, no \
                       trailing slash, no path, no wildcard; the plugin only talks to these \
                       same origins.";
            if plan.app.host_origins.is_empty() {
                format!(
                    "None yet: the spec's host_origins is empty, so a production build of the \
                     plugin trusts no CRM page. Add the CRM's origin there, then here. {why}"
                )
            } else {
                why.to_string()
            }
        },
    },
    Rule {
        title: "Development host origins",
        place: "nowhere: development builds of the plugin only",
        applies: |plan| !plan.app.dev_host_origins.is_empty(),
        values: |plan| plan.app.dev_host_origins.clone(),
        why: |plan| {
            if host_in_flex(plan) {
                return "Pages on this machine that the plugin trusts in a development build \
                        only (npm start, flexgen preview). A production build (npm run build, \
                        npm run deploy) trusts host_origins alone and leaves these out of its \
                        bundle."
                    .to_string();
            }
            "Pages on this machine that the plugin trusts in a development build only \
             (npm start, flexgen preview). A production build (npm run build, npm run \
             deploy) trusts the Allowed URLs above alone and leaves these out of \
             its bundle, so they need no Allowed URLs entry."
                .to_string()
        },
    },
    Rule {
        title: "Host page CSP `frame-src`",
        place: "Content-Security-Policy response header of the CRM host page",
        applies: flex_in_host,
        values: |plan| vec![format!("frame-src 'self' {}", plan.app.flex_origin)],
        why: |plan| {
            format!(
                "The host page must be allowed to frame {} (exactly that origin; merge with \
                 the frame-src you already send). The bridge posts only to this origin and \
                 accepts messages only from it.",
                plan.app.flex_origin
            )
        },
    },
    Rule {
        title: "Flex iframe `allow` attribute",
        place: "the <iframe> that embeds Flex in the host page",
        applies: flex_in_host,
        values: |plan| {
            vec![format!(
                "<iframe src=\"{}\" allow=\"microphone; autoplay\">",
                plan.app.flex_origin
            )]
        },
        why: |plan| {
            let voice = voice_triggers(plan);
            let triggers = if voice.is_empty() {
                String::new()
            } else {
                format!(" (this spec's triggers on calls: {})", voice.join(", "))
            };
            format!(
                "Flex's voice client needs the microphone to take or place calls{triggers}, and \
                 autoplay to ring; without them calls in the embedded Flex have no audio."
            )
        },
    },
    Rule {
        title: "Host page `Cross-Origin-Opener-Policy`",
        place: "response header of the CRM host page",
        applies: flex_in_host,
        values: |_| vec!["Cross-Origin-Opener-Policy: same-origin-allow-popups".to_string()],
        why: |_| {
            "A site that opens the CRM page (window.open) then loses its handle to the CRM's \
             window, so it cannot post messages to the CRM or its Flex frame, nor flood them. \
             Not plain same-origin: that also cuts the popups the page opens off from it, and \
             Flex's SSO login popup, opened from the Flex frame, needs its opener."
                .to_string()
        },
    },
    Rule {
        title: "Flex login across sites",
        place: "the agents' browsers, or Flex's single sign-on settings",
        applies: |plan| flex_in_host(plan) && !cross_site_origins(plan).is_empty(),
        values: cross_site_origins,
        why: |plan| {
            format!(
                "These host origins are on another site than {}, so the framed Flex's login \
                 cookies are third-party cookies: allow third-party cookies for {} in the agents' \
                 browsers, or turn on SSO's \"login using popup\" option so the identity \
                 provider's login runs in a popup instead of the frame.",
                plan.app.flex_origin, plan.app.flex_origin
            )
        },
    },
    Rule {
        title: "CRM page URL per task",
        place: "the spec's app.crm_url: the page the plugin shows in Flex's CRM panel",
        applies: host_in_flex,
        values: |plan| {
            plan.app
                .crm_url
                .iter()
                .map(|u| u.template.clone())
                .collect()
        },
        why: |_| {
            "The plugin frames this page in Flex's CRM panel for the task the agent has \
             selected, and frames it anew when the agent switches task; each {task.…} \
             placeholder is filled with that task's value, percent-encoded, and left empty \
             while no task is selected. The page must work with each value empty (click to \
             dial starts with no task)."
                .to_string()
        },
    },
    Rule {
        title: "CRM page CSP `frame-ancestors`",
        place: "Content-Security-Policy response header of the CRM page (crm_url)",
        applies: host_in_flex,
        values: |plan| vec![format!("frame-ancestors {}", plan.app.flex_origin)],
        why: |plan| {
            format!(
                "The CRM page must let {} frame it, and no one else (exactly that origin; drop \
                 any X-Frame-Options DENY or SAMEORIGIN, which would forbid it). The bridge \
                 posts only to this origin and accepts messages only from its parent window \
                 at this origin.",
                plan.app.flex_origin
            )
        },
    },
    Rule {
        title: "CRM login inside Flex",
        place: "the CRM's session cookies, or its login flow",
        applies: host_in_flex,
        values: |_| vec!["Set-Cookie: <session>=…; Secure; SameSite=None; Partitioned".to_string()],
        why: |plan| {
            format!(
                "Inside {} the CRM page is a third-party frame: its session cookie is sent \
                 only with SameSite=None and Secure. Browsers partition third-party cookies and \
                 storage by the top-level site (Partitioned/CHIPS in Chromium, Safari, \
                 Firefox's Total Cookie Protection), so the agent logs in to the CRM inside \
                 Flex once, apart from a CRM tab; a login page that refuses to be framed \
                 must run in a popup (or use the Storage Access API).",
                plan.app.flex_origin
            )
        },
    },
];

fn flex_in_host(plan: &Plan) -> bool {
    plan.app.embedding == Embedding::FlexInHost
}

fn host_in_flex(plan: &Plan) -> bool {
    plan.app.embedding == Embedding::HostInFlex
}

/// Every setup step the spec needs, in the order a person does them.
pub fn setup_hints(plan: &Plan) -> Vec<SetupHint> {
    RULES
        .iter()
        .filter(|rule| (rule.applies)(plan))
        .map(|rule| SetupHint {
            title: rule.title,
            place: rule.place,
            values: (rule.values)(plan),
            why: (rule.why)(plan),
        })
        .collect()
}

/// Triggers that concern voice calls: on the voice channel, or on any channel
/// (a trigger without `channel` fires for calls too).
fn voice_triggers(plan: &Plan) -> Vec<String> {
    plan.triggers
        .iter()
        .filter(|t| {
            t.channel.as_deref() == Some("voice")
                || (t.channel.is_none() && t.direction == Direction::FlexToHost)
        })
        .map(|t| t.name.original.clone())
        .collect()
}

/// Host origins whose site (scheme and registrable domain) differs from the
/// Flex origin's.
fn cross_site_origins(plan: &Plan) -> Vec<String> {
    let flex = site(&plan.app.flex_origin);
    plan.app
        .host_origins
        .iter()
        .filter(|origin| site(origin) != flex)
        .cloned()
        .collect()
}

/// `(scheme, site)` of a validated origin. The site is the host's last two
/// labels, without the public suffix list: under a multi-label suffix such
/// as `co.uk` two unrelated hosts would count as one site, but Flex's own
/// origin (`flex.twilio.com`) is never under one. IP addresses and
/// `localhost` are sites of their own; the port never matters.
fn site(origin: &str) -> (String, String) {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
    let host = if rest.starts_with('[') {
        // IPv6 literal: `[::1]:8080`.
        rest.split_inclusive(']').next().unwrap_or(rest)
    } else {
        rest.split(':').next().unwrap_or(rest)
    };
    let is_ip = host.starts_with('[') || host.chars().all(|c| c.is_ascii_digit() || c == '.');
    let labels: Vec<&str> = host.split('.').collect();
    let site = if is_ip || labels.len() <= 2 {
        host.to_string()
    } else {
        labels[labels.len() - 2..].join(".")
    };
    (scheme.to_string(), site)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(yaml: &str) -> Plan {
        crate::pipeline::compile("triggers.yaml", yaml).unwrap_or_else(|d| panic!("{}", d.render()))
    }

    const SEED: &str = include_str!("../../triggers.yaml");

    #[test]
    fn crm_inside_flex_needs_frame_ancestors_the_url_and_a_third_party_login() {
        let spec = include_str!("../../tests/cases/fixtures/crm-in-flex/triggers.yaml");
        let hints = setup_hints(&plan(spec));
        let titles: Vec<_> = hints.iter().map(|h| h.title).collect();
        assert_eq!(
            titles,
            [
                "Development host origins",
                "CRM page URL per task",
                "CRM page CSP `frame-ancestors`",
                "CRM login inside Flex"
            ]
        );
        assert!(!hints[0].why.contains("Allowed URLs"), "{}", hints[0].why);
        assert_eq!(
            hints[1].values,
            ["https://crm.acme.example/flex?task={task.taskSid}&record={task.attributes.crm_record_id}"]
        );
        assert_eq!(hints[2].values, ["frame-ancestors https://flex.twilio.com"]);
        assert!(hints[3].values[0].contains("SameSite=None"));
        assert!(hints[3].why.contains("partition"), "{}", hints[3].why);
    }

    #[test]
    fn seed_hints_name_the_exact_origins() {
        let hints = setup_hints(&plan(SEED));
        let titles: Vec<_> = hints.iter().map(|h| h.title).collect();
        assert_eq!(
            titles,
            [
                "Flex \"Allowed URLs\"",
                "Development host origins",
                "Host page CSP `frame-src`",
                "Flex iframe `allow` attribute",
                "Host page `Cross-Origin-Opener-Policy`",
                "Flex login across sites"
            ]
        );
        assert_eq!(hints[0].values, ["https://crm.acme.example"]);
        assert_eq!(hints[1].values, ["http://localhost:8080"]);
        assert!(
            hints[1].why.contains("development build only"),
            "{}",
            hints[1].why
        );
        assert_eq!(
            hints[2].values,
            ["frame-src 'self' https://flex.twilio.com"]
        );
        assert!(hints[3].values[0].contains("allow=\"microphone; autoplay\""));
        assert!(
            hints[3]
                .why
                .contains("click_to_dial, dial_failed, screen_pop, interaction_logged"),
            "{}",
            hints[3].why
        );
        assert_eq!(
            hints[4].values,
            ["Cross-Origin-Opener-Policy: same-origin-allow-popups"]
        );
        assert!(hints[4].why.contains("SSO login popup"), "{}", hints[4].why);
        assert_eq!(hints[5].values, ["https://crm.acme.example"]);
    }

    #[test]
    fn an_empty_production_list_says_so_and_development_origins_need_no_allowed_url() {
        let no_production = SEED.replace(
            "host_origins: [https://crm.acme.example]",
            "host_origins: []",
        );
        let hints = setup_hints(&plan(&no_production));
        assert!(hints[0].values.is_empty());
        assert!(hints[0].why.starts_with("None yet"), "{}", hints[0].why);
        assert_eq!(hints[1].values, ["http://localhost:8080"]);
        // localhost is a development origin, not a cross-site production one.
        assert!(hints.iter().all(|h| h.title != "Flex login across sites"));
        let no_development = SEED.replace("  dev_host_origins: [http://localhost:8080]\n", "");
        let hints = setup_hints(&plan(&no_development));
        assert!(hints.iter().all(|h| h.title != "Development host origins"));
    }

    #[test]
    fn same_site_hosts_need_no_cookie_hint() {
        let same = SEED.replace("https://flex.twilio.com", "https://flex.acme.example");
        let hints = setup_hints(&plan(&same));
        assert!(
            hints.iter().all(|h| h.title != "Flex login across sites"),
            "{hints:#?}"
        );

        let mixed = SEED
            .replace("https://flex.twilio.com", "https://flex.acme.example")
            .replace(
                "host_origins: [https://crm.acme.example]",
                "host_origins: [https://crm.acme.example, http://localhost:8080]",
            )
            .replace("  dev_host_origins: [http://localhost:8080]\n", "");
        let hints = setup_hints(&plan(&mixed));
        let cookies = hints
            .iter()
            .find(|h| h.title == "Flex login across sites")
            .unwrap();
        // http and https are different sites even on one host.
        assert_eq!(cookies.values, ["http://localhost:8080"]);
    }

    #[test]
    fn sites_ignore_ports_and_subdomains_but_not_schemes() {
        assert_eq!(
            site("https://a.b.example:8443"),
            ("https".to_string(), "b.example".to_string())
        );
        assert_eq!(
            site("https://crm.acme.example"),
            site("https://flex.acme.example")
        );
        assert_ne!(
            site("http://crm.acme.example"),
            site("https://crm.acme.example")
        );
        assert_eq!(
            site("http://[::1]:8080"),
            ("http".to_string(), "[::1]".to_string())
        );
        assert_eq!(
            site("http://127.0.0.1:80"),
            ("http".to_string(), "127.0.0.1".to_string())
        );
        assert_ne!(site("http://127.0.0.1"), site("http://127.0.0.2"));
    }
}
