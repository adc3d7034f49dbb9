// The engine shares the api's one clock (app/clock.ts); kept here so engine imports stay put.
export { type Clock, SYSTEM_CLOCK } from '../clock';
