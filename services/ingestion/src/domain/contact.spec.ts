import { cleanContactFields } from './contact.cleaner';
import { cleanEmail } from './email';
import { cleanPhone } from './phone';

describe('cleanEmail', () => {
  it.each([
    [' Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['li+vip@mail.163.com', 'li+vip@mail.163.com'],
    ['user@xn--fiqs8s.xn--p1ai', 'user@xn--fiqs8s.xn--p1ai'],
    ['用户@例子.中国', '用户@例子.中国'],
  ])('cleans %j', (input, email) => {
    expect(cleanEmail(input)).toEqual({ valid: true, email });
  });

  it.each(['n/a', 'foo@', '@example.com', 'foo@bar', 'foo@bar.c', 'foo bar@example.com', 'a@b@c.com', 'foo@example..com', 'foo@1.2.3.4', 42, null, `${'x'.repeat(250)}@example.com`])(
    'refuses %j',
    (input) => {
      expect(cleanEmail(input)).toEqual({ valid: false });
    },
  );
});

describe('cleanPhone', () => {
  it.each([
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['13800138000', 'CN', '+8613800138000'],
    [13800138000, 'CN', '+8613800138000'],
    ['+86 138-0013-8000', 'US', '+8613800138000'],
    ['0086 138 0013 8000', 'CN', '+8613800138000'],
    ['(650) 253-0000', 'US', '+16502530000'],
    ['+44 20 7946 0958', null, '+442079460958'],
    ['020 7946 0958', 'gb', '+442079460958'],
  ])('writes %j (region %s) as %s', (input, region, e164) => {
    expect(cleanPhone(input, region)).toEqual({ valid: true, e164 });
  });

  it.each([
    ['12345', 'CN'],
    ['138 0013 8000', null],
    ['138 0013 8000', 'XX'],
    ['+1 555 0100', null],
    ['not a phone', 'US'],
    ['', 'CN'],
    [{ number: '1' }, 'CN'],
    [-13800138000, 'CN'],
  ])('refuses %j (region %s)', (input, region) => {
    expect(cleanPhone(input, region)).toEqual({ valid: false });
  });
});

describe('cleanPhone, asked again', () => {
  it('answers per region: the same digits are a Chinese mobile in CN and no number in the US', () => {
    expect(cleanPhone('138 0013 8000', 'CN')).toEqual({ valid: true, e164: '+8613800138000' });
    expect(cleanPhone('138 0013 8000', 'US')).toEqual({ valid: false });
    expect(cleanPhone('138 0013 8000', 'CN')).toEqual({ valid: true, e164: '+8613800138000' });
  });
});

describe('cleanContactFields', () => {
  it('given traits with contact details, cleans them and reports the ones that cannot be used', () => {
    const result = cleanContactFields(
      { email: 'BAD', phone: ' 13800138000 ', mobile: '', firstName: ' Wei ', last_name: '  ', name: 7, plan: ' gold ' },
      'traits',
      { defaultPhoneRegion: 'CN', names: true },
    );
    expect(result).toEqual({
      cleaned: { phone: '+8613800138000', firstName: 'Wei', name: 7, plan: ' gold ' },
      invalid: { 'traits.email': 'BAD' },
    });
  });

  it('keeps a null trait, which on identify means "unset"', () => {
    expect(cleanContactFields({ email: null }, 'traits', { defaultPhoneRegion: null, names: true }).cleaned).toEqual({ email: null });
  });

  it('leaves names alone where they are not person names (properties)', () => {
    expect(cleanContactFields({ name: ' Uno ' }, 'properties', { defaultPhoneRegion: null, names: false }).cleaned).toEqual({ name: ' Uno ' });
  });
});
