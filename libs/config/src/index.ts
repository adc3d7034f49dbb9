export * from './lib/config';
export { EnvironmentDto, KNOWN_VARIABLES } from './lib/environment.dto';
export { DEFAULT_SMS_TEMPLATES, SMS_VARIABLES, type SmsConfig } from './lib/sms.config';
