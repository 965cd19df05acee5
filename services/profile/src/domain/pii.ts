/**
 * Traits that hold personal data: encrypted at rest under the profile's data key, never in the
 * ProfileChanged snapshot, never searchable, and shown only to callers with `pii:read`.
 * Identifier-like traits (member cards, WeChat ids) count too: identity treats every identifier value
 * as personal data.
 */
export const PII_TRAITS: ReadonlySet<string> = new Set([
  'name',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'email',
  'phone',
  'mobile',
  'address',
  'street',
  'postalCode',
  'postal_code',
  'zip',
  'birthday',
  'birthdate',
  'birth_date',
  'dateOfBirth',
  'memberCard',
  'member_card',
  'memberCardNumber',
  'wechatOpenId',
  'wechat_openid',
  'openid',
  'wechatUnionId',
  'wechat_unionid',
  'unionid',
  'idNumber',
  'id_number',
  'ip',
]);

export function isPiiTrait(name: string): boolean {
  return PII_TRAITS.has(name);
}
