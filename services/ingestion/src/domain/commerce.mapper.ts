import type { Commerce, Product } from '@cdp/contracts';
import { cleanCurrency } from './currency';
import { jsonTypeOf } from './identifier';
import { type JsonObject, isJsonObject, own } from './json';
import { accept, type Checked, quote, reject } from './rejection';

/**
 * Where an ecommerce event carries its products: the single-product events put the product's fields
 * at the top level of `properties`, the others carry a `products` array (or none at all).
 */
type ProductLayout = 'single' | 'list';

/** The Segment E-commerce Spec v2 events, by canonical name. */
export const ECOMMERCE_EVENTS: Readonly<Record<string, ProductLayout>> = {
  'Products Searched': 'list',
  'Product List Viewed': 'list',
  'Product List Filtered': 'list',
  'Promotion Viewed': 'list',
  'Promotion Clicked': 'list',
  'Product Clicked': 'single',
  'Product Viewed': 'single',
  'Product Added': 'single',
  'Product Removed': 'single',
  'Cart Viewed': 'list',
  'Checkout Started': 'list',
  'Checkout Step Viewed': 'list',
  'Checkout Step Completed': 'list',
  'Payment Info Entered': 'list',
  'Order Updated': 'list',
  'Order Completed': 'list',
  'Order Refunded': 'list',
  'Order Cancelled': 'list',
  'Coupon Entered': 'list',
  'Coupon Applied': 'list',
  'Coupon Denied': 'list',
  'Coupon Removed': 'list',
  'Product Added to Wishlist': 'single',
  'Product Removed from Wishlist': 'single',
  'Wishlist Product Added to Cart': 'single',
  'Product Shared': 'single',
  'Cart Shared': 'list',
  'Product Reviewed': 'single',
};

const BY_LOOSE_NAME = new Map(Object.keys(ECOMMERCE_EVENTS).map((name) => [looseName(name), name]));

/** "order_completed", "ORDER COMPLETED" and "Order-Completed" are all spellings of "Order Completed". */
function looseName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** The spec's spelling of an ecommerce event name, or null when the event is not an ecommerce event. */
export function canonicalEcommerceEvent(event: string): string | null {
  return BY_LOOSE_NAME.get(looseName(event)) ?? null;
}

const INT_MAX = 2_147_483_647;
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * The typed commerce record of an ecommerce event (`event` already canonical). Amounts may come as
 * numbers or numeric strings, as POS exports write them; negative amounts and quantities are refused
 * with the path of the value, since a refund is its own event (Order Refunded) with positive amounts.
 */
export function mapCommerce(event: string, properties: JsonObject, defaultStoreId: string | null): Checked<Commerce> {
  const layout = ECOMMERCE_EVENTS[event];
  if (layout === undefined) throw new RangeError(`not an ecommerce event: ${event}`);

  const orderId = text(properties, ['order_id', 'orderId'], 'properties');
  if (!orderId.ok) return orderId;
  const currency = cleanCurrency(own(properties, 'currency'), 'properties.currency');
  if (!currency.ok) return currency;
  const amounts: Partial<Record<'revenue' | 'total' | 'subtotal' | 'discount' | 'tax' | 'shipping', number | null>> = {};
  for (const key of ['revenue', 'total', 'subtotal', 'discount', 'tax', 'shipping'] as const) {
    const amount = parseAmount(own(properties, key), `properties.${key}`);
    if (!amount.ok) return amount;
    amounts[key] = amount.value;
  }
  const coupon = text(properties, ['coupon'], 'properties');
  if (!coupon.ok) return coupon;
  const storeId = text(properties, ['store_id', 'storeId'], 'properties');
  if (!storeId.ok) return storeId;

  let products: Product[];
  switch (layout) {
    case 'single': {
      const product = mapProduct(properties, 'properties');
      if (!product.ok) return product;
      products = hasProductFields(properties) ? [product.value] : [];
      break;
    }
    case 'list': {
      const listed = mapProducts(own(properties, 'products'));
      if (!listed.ok) return listed;
      products = listed.value;
      break;
    }
    default: {
      const unreachable: never = layout;
      throw new RangeError(`unknown product layout ${String(unreachable)}`);
    }
  }

  return accept({
    orderId: orderId.value,
    revenue: revenueOf(amounts),
    currency: currency.value,
    discount: amounts.discount ?? null,
    tax: amounts.tax ?? null,
    shipping: amounts.shipping ?? null,
    coupon: coupon.value,
    storeId: storeId.value ?? defaultStoreId,
    products,
  });
}

/**
 * Revenue excludes shipping and tax (the spec's definition). Clients that send only `subtotal` or
 * `total`, as most POS exports do, still get one: subtotal is the same quantity, and total less tax
 * and shipping is too.
 */
function revenueOf(amounts: Partial<Record<'revenue' | 'total' | 'subtotal' | 'tax' | 'shipping', number | null>>): number | null {
  if (amounts.revenue != null) return amounts.revenue;
  if (amounts.subtotal != null) return amounts.subtotal;
  if (amounts.total == null) return null;
  const derived = Math.round((amounts.total - (amounts.tax ?? 0) - (amounts.shipping ?? 0)) * 1e6) / 1e6;
  return derived >= 0 ? derived : null;
}

function mapProducts(value: unknown): Checked<Product[]> {
  if (value === undefined || value === null) return accept([]);
  if (!Array.isArray(value)) return reject('INVALID_FIELD', 'properties.products', `properties.products must be an array, got ${jsonTypeOf(value)}`);
  const products: Product[] = [];
  for (let i = 0; i < value.length; i++) {
    const path = `properties.products[${i}]`;
    const item: unknown = value[i];
    if (!isJsonObject(item)) return reject('INVALID_FIELD', path, `${path} must be an object, got ${jsonTypeOf(item)}`);
    const product = mapProduct(item, path);
    if (!product.ok) return product;
    products.push(product.value);
  }
  return accept(products);
}

const PRODUCT_ID_KEYS = ['product_id', 'productId', 'id'];

function hasProductFields(properties: JsonObject): boolean {
  return [...PRODUCT_ID_KEYS, 'sku', 'name', 'price'].some((key) => own(properties, key) != null);
}

function mapProduct(source: JsonObject, path: string): Checked<Product> {
  const productId = text(source, PRODUCT_ID_KEYS, path);
  if (!productId.ok) return productId;
  const fields: Partial<Record<'sku' | 'name' | 'category' | 'brand' | 'variant', string | null>> = {};
  for (const key of ['sku', 'name', 'category', 'brand', 'variant'] as const) {
    const value = text(source, [key], path);
    if (!value.ok) return value;
    fields[key] = value.value;
  }
  const price = parseAmount(own(source, 'price'), `${path}.price`);
  if (!price.ok) return price;
  const quantity = parseQuantity(own(source, 'quantity'), `${path}.quantity`);
  if (!quantity.ok) return quantity;
  return accept({
    sku: fields.sku ?? null,
    productId: productId.value,
    name: fields.name ?? null,
    category: fields.category ?? null,
    brand: fields.brand ?? null,
    price: price.value,
    quantity: quantity.value,
    variant: fields.variant ?? null,
  });
}

/** First present key among spellings (`order_id`, `orderId`); numbers become strings, blanks null. */
function text(source: JsonObject, keys: string[], path: string): Checked<string | null> {
  for (const key of keys) {
    const value = own(source, key);
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && Number.isFinite(value)) return accept(String(value));
    if (typeof value !== 'string') return reject('INVALID_FIELD', `${path}.${key}`, `${path}.${key} must be a string, got ${jsonTypeOf(value)}`);
    const trimmed = value.trim();
    if (trimmed !== '') return accept(trimmed);
  }
  return accept(null);
}

/** A non-negative finite amount from a number or a numeric string; absent and blank are null. */
export function parseAmount(value: unknown, field: string): Checked<number | null> {
  let amount: number;
  if (value === undefined || value === null) return accept(null);
  if (typeof value === 'number') amount = value;
  else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return accept(null);
    if (!NUMERIC.test(trimmed)) return reject('INVALID_AMOUNT', field, `${field} ${quote(value)} is not a number`);
    amount = Number(trimmed);
  } else return reject('INVALID_AMOUNT', field, `${field} must be a number, got ${jsonTypeOf(value)}`);
  if (!Number.isFinite(amount)) return reject('INVALID_AMOUNT', field, `${field} ${quote(value)} is not a finite number`);
  if (amount < 0) return reject('INVALID_AMOUNT', field, `${field} must not be negative, got ${amount}`);
  // -0 would survive the check above and reach reports as "-0".
  return accept(amount === 0 ? 0 : amount);
}

/** Units of a product line: a whole number (the contract's `int`), 1 when not given. */
function parseQuantity(value: unknown, field: string): Checked<number> {
  const amount = parseAmount(value, field);
  if (!amount.ok) return amount;
  if (amount.value === null) return accept(1);
  if (!Number.isInteger(amount.value) || amount.value > INT_MAX) {
    return reject('INVALID_AMOUNT', field, `${field} must be a whole number up to ${INT_MAX}, got ${amount.value}`);
  }
  return accept(amount.value);
}
