//! The review skeleton `gonogo init` writes: every section of the meeting, commented, with
//! nothing claimed ready — so `gonogo check` on it lists what a blank review is missing.

/// The skeleton for `service` at `version`.
pub fn skeleton(service: &str, version: &str) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("a string serializes");
    TEMPLATE.replace("{service}", &q(service)).replace("{version}", &q(version))
}

const TEMPLATE: &str = r##"# Deployment readiness review — `gonogo check review.yaml` holds it against the meeting's rules.
# Anything not ready is a blocker. A blocker can only be accepted by a decision condition that
# `covers` it (by checklist item name or rule id). Handles are quoted: "@name".
apiVersion: gonogo/v1
release:
  service: {service}
  version: {version}
  tag:                     # the release branch's tag, e.g. v2.14.0
  frozen: false            # true once no commit goes in without a process
  previous:                # the tag a rollback redeploys
  runbook:                 # link to the deployment runbook
meeting:
  date:                    # YYYY-MM-DD
  facilitator:             # "@handle"
  duration: 30m
  attendees: []            # - "@handle"  or  - { handle: "@handle", name: "Full Name" }
teams: []                  # handles that are teams, not people (they cannot be on call)
# Walk through each item as a group and mark it: done | partial | blocked | not_started | n/a
checklist:
  - item: All P0/P1 issues resolved
    status: not_started
    owner:
  - item: Release branch tagged and frozen
    status: not_started
    owner:
  - item: Deployment runbook written and linked
    status: not_started
    owner:
  - item: Rollback steps documented and tested in staging
    status: not_started
    owner:
  - item: Monitoring dashboards set up and showing live data
    status: not_started
    owner:
  - item: On-call owner identified and accepted the role
    status: not_started
    owner:
  - item: Customer-facing teams (CS, support) briefed
    status: not_started
    owner:
testing:
  qa_signoff:              # { by: "@qa", at: 2024-12-12T00:00:00Z, link: https://… }
  known_issues: []         # - { id: "#1210", priority: P2, title: …, fix: next patch }
  regression:              # { total: 847, passed: 841, failed: 6, preexisting: 6 }
  load_test:               # { passed: true, limits: ["500 concurrent schedules"] }
rollback:
  tested_in_staging: not_started   # done | partial | not_started
  # Specific conditions, never "if there are problems". Each trigger is exactly one of:
  #   - name: Error rate above 2% over 5 minutes
  #     query: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
  #     above: 0.02          # or below:
  #     for: 5m              # how long it must hold
  #   - name: Queue depth alert firing
  #     alert: QueueDepthHigh
  #   - name: Data integrity issue reported
  #     manual: true
  triggers: []
  # What the on-call engineer does, alone, at 2am — in order.
  steps: []
  # What gonogo watch runs itself when a trigger fires (secrets as ${ENV_VAR}):
  #   - name: disable flag
  #     webhook: { url: "https://…", method: PATCH, headers: { Authorization: "${TOKEN}" }, body: '{"on": false}' }
  #   - name: redeploy previous
  #     command: ["./deploy.sh", "v1.2.3"]
  actions: []
on_call:
  primary:                 # one person's "@handle" — "the team" is nobody
  secondary:
  accepted: false          # true once the primary has accepted the role
  window:                  # { start: 2024-12-13T12:00:00Z, end: 2024-12-14T12:00:00Z }, at least 24 h
# Every dashboard opened during the meeting and confirmed to show live data.
monitoring:
  - metric: Error rate
    dashboard:
    query:                 # PromQL, checked by `gonogo verify`
    alert:                 # { above: 0.02, notify: pagerduty, rule: AlertRuleName }
    verified_live: false
decision:
  outcome: pending         # go | no_go | pending
  by:                      # who made the decision
  signoffs: []
  at:                      # RFC 3339
  deploy_window:           # { start: …, end: … }
  # - text: What must happen before the deploy
  #   owner: "@handle"
  #   due: 2024-12-13T12:00:00Z
  #   covers: ["Rollback tested in staging"]   # checklist item names or rule ids
  conditions: []
# - { owner: "@handle", action: …, due: 2024-12-13T12:00:00Z, status: open }
action_items: []
follow_up:
  post_deploy_check: 15m   # after the deploy completes
  post_launch_review: 7d
"##;
