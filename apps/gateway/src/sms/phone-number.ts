/**
 * An SMSC's source address as E.164 ("+447700900123"), the form phone numbers are stored in.
 * SMPP 3.4 §5.2.5: type of number 1 (international) carries the country code without "+";
 * a national number (leading 0) is read in the service's country. Undefined for an address
 * that is no phone number (an alphanumeric sender), which can then never match a patient.
 */
export function e164FromSmsc(address: string, typeOfNumber: number, countryCode = '44'): string | undefined {
  const compact = address.replace(/[\s()-]/g, '');
  let digits: string | undefined;
  if (/^\+\d+$/.test(compact)) digits = compact.slice(1);
  else if (/^00\d+$/.test(compact)) digits = compact.slice(2);
  else if (/^0\d+$/.test(compact) && typeOfNumber !== 1) digits = countryCode + compact.slice(1);
  else if (/^\d+$/.test(compact)) digits = typeOfNumber === 1 || compact.startsWith(countryCode) ? compact : countryCode + compact;
  return digits !== undefined && /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : undefined;
}
