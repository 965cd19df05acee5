import { canonicalEcommerceEvent, ECOMMERCE_EVENTS, mapCommerce } from './commerce.mapper';

describe('canonicalEcommerceEvent', () => {
  it.each([
    ['Order Completed', 'Order Completed'],
    ['order_completed', 'Order Completed'],
    ['ORDER COMPLETED', 'Order Completed'],
    [' Product-Added ', 'Product Added'],
    ['product added to wishlist', 'Product Added to Wishlist'],
  ])('reads %j as %s', (name, canonical) => {
    expect(canonicalEcommerceEvent(name)).toBe(canonical);
  });

  it.each(['Signed Up', 'Order', 'OrderCompleted', 'Completed Order'])('does not take %j for an ecommerce event', (name) => {
    expect(canonicalEcommerceEvent(name)).toBeNull();
  });

  it('knows the spec events the issue names', () => {
    for (const name of ['Product Viewed', 'Product Clicked', 'Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started', 'Checkout Step Viewed', 'Checkout Step Completed', 'Payment Info Entered', 'Order Completed', 'Order Updated', 'Order Refunded', 'Order Cancelled', 'Coupon Entered', 'Coupon Applied', 'Coupon Denied', 'Coupon Removed', 'Product List Viewed', 'Promotion Viewed', 'Promotion Clicked', 'Products Searched']) {
      expect(ECOMMERCE_EVENTS[name]).toBeDefined();
    }
  });
});

describe('mapCommerce', () => {
  it('given a Product Added with its product at the top level, maps one product line', () => {
    const result = mapCommerce(
      'Product Added',
      { cart_id: 'skdjsidjsdkdj29j', product_id: '507f1f77bcf86cd799439011', sku: 'G-32', category: 'Games', name: 'Monopoly: 3rd Edition', brand: 'Hasbro', variant: '200 pieces', price: 18.99, quantity: 1, coupon: 'MAYDEALS', position: 3, url: 'https://www.example.com/product/path' },
      null,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        orderId: null,
        revenue: null,
        currency: null,
        discount: null,
        tax: null,
        shipping: null,
        coupon: 'MAYDEALS',
        storeId: null,
        products: [{ productId: '507f1f77bcf86cd799439011', sku: 'G-32', category: 'Games', name: 'Monopoly: 3rd Edition', brand: 'Hasbro', variant: '200 pieces', price: 18.99, quantity: 1 }],
      },
    });
  });

  it('given a POS receipt with numeric strings and camelCase keys, reads the numbers and derives revenue from the total', () => {
    const result = mapCommerce('Order Completed', { orderId: 10023, total: '128.50', tax: '8.50', shipping: '0', currency: 'cny', storeId: ' store-bj-07 ', products: [{ sku: 'A1', price: '64.25', quantity: '2' }] }, 'store-default');
    expect(result).toMatchObject({
      ok: true,
      value: { orderId: '10023', revenue: 120, tax: 8.5, shipping: 0, currency: 'CNY', storeId: 'store-bj-07', products: [{ sku: 'A1', productId: null, price: 64.25, quantity: 2 }] },
    });
  });

  it('takes revenue from subtotal when only subtotal and total are given', () => {
    expect(mapCommerce('Order Completed', { subtotal: 22.5, total: 27.5 }, null)).toMatchObject({ ok: true, value: { revenue: 22.5 } });
  });

  it('falls back to the source store and to quantity 1', () => {
    expect(mapCommerce('Cart Viewed', { products: [{ product_id: 'p' }] }, 'store-sh-01')).toMatchObject({ ok: true, value: { storeId: 'store-sh-01', products: [{ productId: 'p', quantity: 1, price: null }] } });
  });

  it('gives an event without products an empty product list', () => {
    expect(mapCommerce('Order Refunded', { order_id: '50314b8e9bcf000000000000' }, null)).toMatchObject({ ok: true, value: { orderId: '50314b8e9bcf000000000000', products: [] } });
    expect(mapCommerce('Product Viewed', { position: 1 }, null)).toMatchObject({ ok: true, value: { products: [] } });
  });

  it.each([
    [{ revenue: -10 }, 'properties.revenue', 'INVALID_AMOUNT'],
    [{ total: '12,50' }, 'properties.total', 'INVALID_AMOUNT'],
    [{ tax: 'NaN' }, 'properties.tax', 'INVALID_AMOUNT'],
    [{ shipping: '1e400' }, 'properties.shipping', 'INVALID_AMOUNT'],
    [{ discount: {} }, 'properties.discount', 'INVALID_AMOUNT'],
    [{ products: [{ quantity: -1 }] }, 'properties.products[0].quantity', 'INVALID_AMOUNT'],
    [{ products: [{}, { quantity: 1.5 }] }, 'properties.products[1].quantity', 'INVALID_AMOUNT'],
    [{ products: [{ quantity: 3e9 }] }, 'properties.products[0].quantity', 'INVALID_AMOUNT'],
    [{ products: [{ price: '-0.01' }] }, 'properties.products[0].price', 'INVALID_AMOUNT'],
    [{ products: [{ sku: ['a'] }] }, 'properties.products[0].sku', 'INVALID_FIELD'],
    [{ products: ['sku-1'] }, 'properties.products[0]', 'INVALID_FIELD'],
    [{ products: { sku: 'a' } }, 'properties.products', 'INVALID_FIELD'],
    [{ order_id: { id: 1 } }, 'properties.order_id', 'INVALID_FIELD'],
    [{ currency: 'yuan' }, 'properties.currency', 'INVALID_CURRENCY'],
  ])('rejects %j at %s', (properties, field, code) => {
    expect(mapCommerce('Order Completed', properties, null)).toMatchObject({ ok: false, rejection: { code, field } });
  });

  it('rejects a negative top-level price on a single-product event', () => {
    expect(mapCommerce('Product Viewed', { product_id: 'p', price: -5 }, null)).toMatchObject({ ok: false, rejection: { code: 'INVALID_AMOUNT', field: 'properties.price' } });
  });

  it('accepts a zero price (a free gift on the receipt)', () => {
    expect(mapCommerce('Order Completed', { products: [{ sku: 'gift', price: -0 }] }, null)).toMatchObject({ ok: true, value: { products: [{ price: 0 }] } });
  });
});
