/** create-nmaas-app: scaffolds a new NMaaS measurement app from a template folder. */
export { run, create, AnswerError, DEFAULT_NAME, DEFAULT_TEMPLATE, type CliIo, type CreatedProject } from './cli.js';
export { parseCliArgs, UsageError, HELP, type CliArgs } from './args.js';
export {
  answerIssues,
  renderManifest,
  templateDefaults,
  defaultDuration,
  CATEGORIES,
  type Answers,
  type ManifestAnswers,
  type AnswerKey,
} from './answers.js';
export { writeProject, checkTarget, TargetNotEmptyError, type WriteProjectOptions } from './scaffold.js';
export {
  loadTemplate,
  TEMPLATE_NAMES,
  TEMPLATES_DIR,
  RENAMED_FILES,
  SUBSTITUTED_FILES,
  type Template,
  type TemplateName,
} from './templates.js';
export { nameForms, replaceNames, displayNameOf, type NameForms } from './names.js';
