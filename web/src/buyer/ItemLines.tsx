// The lines of a basket or an order, and its total.
import type { Lang } from '../i18n';
import { money } from '../format';

export interface ItemLine {
  ticket_type_id: number;
  name: string;
  quantity: number;
  unit_price: number;
  currency: string;
}

export function ItemLines({
  items,
  total,
  currency,
  lang,
  quantityText,
  totalText,
}: {
  items: readonly ItemLine[];
  total: number;
  currency: string;
  lang: Lang;
  quantityText: (item: ItemLine) => string;
  totalText: string;
}) {
  return (
    <ul class="basket-items">
      {items.map((item) => (
        <li key={item.ticket_type_id}>
          <span>{quantityText(item)}</span>
          <span class="price">{money(lang, item.unit_price * item.quantity, item.currency)}</span>
        </li>
      ))}
      <li class="basket-total">
        <span>{totalText}</span>
        <strong>{money(lang, total, currency)}</strong>
      </li>
    </ul>
  );
}
