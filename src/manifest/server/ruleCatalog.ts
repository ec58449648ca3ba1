import { DiagnosticSeverity } from 'vscode-languageserver';

import { isRuleCode, RULE_CODES, type RuleCode } from '../manifestProtocol';

// The codes are part of the client/server contract (settings and disable comments name them).
export { isRuleCode, RULE_CODES, type RuleCode };

const TASK_PAGE =
  'https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/';
const POD_SECURITY_BASELINE =
  'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline';
const SECRETS_GOOD_PRACTICES =
  'https://kubernetes.io/docs/concepts/security/secrets-good-practices/';
const SECRET_ENV = 'https://kubernetes.io/docs/concepts/configuration/secret/';
const POD_SPEC_REFERENCE =
  'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/';

export interface RuleInfo {
  readonly severity: DiagnosticSeverity;
  readonly href: string;
}

export const RULES: Readonly<Record<RuleCode, RuleInfo>> = {
  'ppe-host-pid-conflict': { severity: DiagnosticSeverity.Error, href: TASK_PAGE },
  'ppe-not-boolean': { severity: DiagnosticSeverity.Error, href: POD_SPEC_REFERENCE },
  'ppe-yaml11-boolean': { severity: DiagnosticSeverity.Warning, href: POD_SPEC_REFERENCE },
  'ppe-misplaced-field': { severity: DiagnosticSeverity.Error, href: TASK_PAGE },
  'ppe-misspelled-field': { severity: DiagnosticSeverity.Error, href: TASK_PAGE },
  'ppe-init-needs-pid1': { severity: DiagnosticSeverity.Warning, href: TASK_PAGE },
  'ppe-kill-pid1': { severity: DiagnosticSeverity.Warning, href: TASK_PAGE },
  'ppe-tini-without-subreaper': { severity: DiagnosticSeverity.Hint, href: TASK_PAGE },
  'ppe-secret-env-literal': { severity: DiagnosticSeverity.Warning, href: SECRETS_GOOD_PRACTICES },
  'ppe-secret-arg-literal': { severity: DiagnosticSeverity.Warning, href: SECRETS_GOOD_PRACTICES },
  'ppe-secret-env-reference': { severity: DiagnosticSeverity.Information, href: SECRET_ENV },
  'ppe-secret-volume': { severity: DiagnosticSeverity.Information, href: TASK_PAGE },
  'ppe-debug-without-ptrace': { severity: DiagnosticSeverity.Information, href: TASK_PAGE },
  'ppe-ptrace-breaks-baseline': {
    severity: DiagnosticSeverity.Information,
    href: POD_SECURITY_BASELINE,
  },
  'ppe-privileged-in-shared-pod': {
    severity: DiagnosticSeverity.Warning,
    href: POD_SECURITY_BASELINE,
  },
  'ppe-yaml-syntax': { severity: DiagnosticSeverity.Error, href: TASK_PAGE },
  'ppe-file-too-large': { severity: DiagnosticSeverity.Information, href: TASK_PAGE },
};
