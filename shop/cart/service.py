"""The cart's rules as plain functions over a SQLAlchemy session (no Flask, no HTTP).

A cart belongs to an :class:`Owner`: an account (``user_id``) or else a guest visitor
(``visitor_id``). Every write function commits its own unit of work. Stock is checked when a
quantity is asked for but never reserved: the checkout's conditional ``UPDATE`` is the only
place stock is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from catalog.models import Variant

from ..models import Cart, CartItem, utcnow

EMPTY_MESSAGE = "No products in the cart."
MAX_QUANTITY = 99
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Owner:
    """Whose cart: the account when logged in, else the guest visitor."""

    visitor_id: str | None
    user_id: int | None = None

    @property
    def known(self) -> bool:
        return self.user_id is not None or self.visitor_id is not None


# ---------------------------------------------------------------- errors


class CartError(Exception):
    """A request the cart refuses; ``status`` is the HTTP status the views answer with."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownVariant(CartError):
    status = 404


class UnknownLine(CartError):
    status = 404


class ProductUnavailable(CartError):
    status = 422


class NotEnoughStock(CartError):
    status = 409

    def __init__(self, message: str, available: int):
        super().__init__(message)
        self.available = available


class QuantityOutOfRange(CartError):
    status = 422


class CartBusy(CartError):
    """The same cart kept changing under this request (several tabs at once)."""

    status = 409


#: Attempts of one add when the same cart is changed concurrently.
ADD_ATTEMPTS = 5


# ---------------------------------------------------------------- read model


@dataclass(frozen=True)
class CartLine:
    id: int
    variant_id: int
    sku: str
    product_slug: str
    product_name: str
    variant_label: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    stock: int
    active: bool

    @property
    def problem(self) -> str | None:
        """Why this line cannot be bought as it is, in words for the shopper (or None)."""
        if not self.active:
            return f"{self.product_name} is no longer sold; please remove it."
        if self.stock == 0:
            return f"{self.product_name}, {self.variant_label} is sold out; please remove it."
        if self.quantity > self.stock:
            return (
                f"Only {self.stock} left of {self.product_name}, {self.variant_label}; "
                f"please lower the quantity."
            )
        return None


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLine] = field(default_factory=list)
    cart_id: int | None = None

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00")).quantize(CENT)

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def message(self) -> str | None:
        return EMPTY_MESSAGE if self.empty else None

    @property
    def problems(self) -> list[str]:
        return [line.problem for line in self.lines if line.problem]


def describe(variant: Variant) -> str:
    return f"{variant.product.name}, {variant.label}"


def _line(item: CartItem) -> CartLine:
    variant, product = item.variant, item.variant.product
    price = Decimal(variant.price_now).quantize(CENT)
    return CartLine(
        id=item.id,
        variant_id=variant.id,
        sku=variant.sku,
        product_slug=product.slug,
        product_name=product.name,
        variant_label=variant.label,
        unit_price=price,
        quantity=item.quantity,
        line_total=(price * item.quantity).quantize(CENT),
        stock=variant.stock,
        active=product.active,
    )


def summarize(cart: Cart | None) -> CartSummary:
    if cart is None:
        return CartSummary()
    return CartSummary([_line(item) for item in cart.items], cart.id)


# ---------------------------------------------------------------- finding carts


def _owner_clause(owner: Owner):
    if owner.user_id is not None:
        return Cart.user_id == owner.user_id
    return Cart.visitor_id == owner.visitor_id


def find_cart(session: Session, owner: Owner, *, fresh: bool = False) -> Cart | None:
    """The owner's cart with its lines, variants and products loaded (None if there is none)."""
    if not owner.known:
        return None
    stmt = (
        select(Cart)
        .where(_owner_clause(owner))
        .options(joinedload(Cart.items).joinedload(CartItem.variant).joinedload(Variant.product))
    )
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return session.scalars(stmt).unique().first()


def get_summary(session: Session, owner: Owner) -> CartSummary:
    return summarize(find_cart(session, owner))


def get_or_create_cart(session: Session, owner: Owner) -> Cart:
    """The owner's cart, made on first need (two racing first adds end with one cart)."""
    if not owner.known:
        raise ValueError("a cart needs a visitor or an account")
    cart = find_cart(session, owner)
    if cart is not None:
        return cart
    if owner.user_id is not None:
        cart = Cart(user_id=owner.user_id)
    else:
        cart = Cart(visitor_id=owner.visitor_id)
    session.add(cart)
    try:
        session.commit()
    except IntegrityError:  # the same visitor's other request made it first
        session.rollback()
        cart = find_cart(session, owner)
        if cart is None:
            raise
    return cart


def _variant_by_sku(session: Session, sku: str) -> Variant:
    variant = session.scalar(
        select(Variant).where(Variant.sku == sku).options(joinedload(Variant.product))
    )
    if variant is None:
        raise UnknownVariant(f"There is no product with SKU {sku!r}.")
    if not variant.product.active:
        raise ProductUnavailable(f"{variant.product.name} is no longer sold.")
    return variant


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise QuantityOutOfRange(f"The quantity must be between 1 and {MAX_QUANTITY}.")


def _check_stock(variant: Variant, wanted: int, in_cart: int = 0) -> None:
    if wanted <= variant.stock:
        return
    name = describe(variant)
    if variant.stock == 0:
        message = f"Sorry, {name} is sold out."
    elif in_cart:
        message = (
            f"Sorry, only {variant.stock} left of {name}, and you already have "
            f"{in_cart} in your cart."
        )
    else:
        message = f"Sorry, only {variant.stock} left of {name}."
    raise NotEnoughStock(message, variant.stock)


def _item(cart: Cart, item_id: int) -> CartItem:
    for item in cart.items:
        if item.id == item_id:
            return item
    raise UnknownLine("That line is not in your cart.")


def _touch(cart: Cart) -> None:
    cart.updated_at = utcnow()


# ---------------------------------------------------------------- writes


@dataclass(frozen=True)
class Change:
    """What a write did, for the views' flash message and event log."""

    message: str
    product_slug: str | None = None
    sku: str | None = None
    created: bool = False
    item_id: int | None = None


def add_item(session: Session, owner: Owner, sku: str, quantity: int) -> Change:
    """Put ``quantity`` of the variant ``sku`` in the cart (adding to a line already there).

    Two requests adding to the same cart at once both count: a line is created once (the
    unique constraint decides) and a quantity is only raised from the value that was checked,
    otherwise the add starts again from a fresh read.
    """
    _check_quantity(quantity)
    for _attempt in range(ADD_ATTEMPTS):
        try:
            return _add_item_once(session, owner, sku, quantity)
        except (IntegrityError, _StaleLine):
            session.rollback()
            session.expire_all()
    raise CartBusy("Your cart was changing at the same moment; please try again.")


class _StaleLine(Exception):
    """The line's quantity changed between our read and our write."""


def _add_item_once(session: Session, owner: Owner, sku: str, quantity: int) -> Change:
    variant = _variant_by_sku(session, sku)
    cart = get_or_create_cart(session, owner)
    item = next((i for i in cart.items if i.variant_id == variant.id), None)
    in_cart = item.quantity if item else 0
    if in_cart + quantity > MAX_QUANTITY:
        raise QuantityOutOfRange(
            f"You can have at most {MAX_QUANTITY} of one item; you already have {in_cart}."
        )
    _check_stock(variant, in_cart + quantity, in_cart)
    created = item is None
    if created:
        item = CartItem(variant=variant, quantity=quantity)
        cart.items.append(item)
    else:
        raised = session.execute(
            update(CartItem)
            .where(CartItem.id == item.id, CartItem.quantity == in_cart)
            .values(quantity=in_cart + quantity)
            .execution_options(synchronize_session=False)
        )
        if raised.rowcount != 1:
            raise _StaleLine
        set_committed_value(item, "quantity", in_cart + quantity)  # what the row now holds
    _touch(cart)
    session.commit()
    unit = "item" if quantity == 1 else "items"
    return Change(
        f"Added {quantity} {unit} of {describe(variant)} to your cart.",
        variant.product.slug,
        variant.sku,
        created,
        item.id,
    )


def set_quantity(session: Session, owner: Owner, item_id: int, quantity: int) -> Change:
    """Change a line's quantity; more than is in stock is refused, not capped."""
    _check_quantity(quantity)
    cart = find_cart(session, owner)
    if cart is None:
        raise UnknownLine("That line is not in your cart.")
    item = _item(cart, item_id)
    _check_stock(item.variant, quantity)
    item.quantity = quantity
    _touch(cart)
    session.commit()
    return Change(
        f"{describe(item.variant)}: quantity is now {quantity}.",
        item.variant.product.slug,
        item.variant.sku,
        item_id=item.id,
    )


def remove_item(session: Session, owner: Owner, item_id: int) -> Change:
    cart = find_cart(session, owner)
    if cart is None:
        raise UnknownLine("That line is not in your cart.")
    item = _item(cart, item_id)
    change = Change(
        f"Removed {describe(item.variant)} from your cart.",
        item.variant.product.slug,
        item.variant.sku,
        item_id=item.id,
    )
    cart.items.remove(item)
    _touch(cart)
    session.commit()
    return change


def clear(session: Session, owner: Owner) -> list[Change]:
    """Empty the cart; one change per removed line (for the event log)."""
    cart = find_cart(session, owner)
    if cart is None or not cart.items:
        return []
    changes = [Change("", i.variant.product.slug, i.variant.sku, item_id=i.id) for i in cart.items]
    cart.items.clear()
    _touch(cart)
    session.commit()
    return changes


def merge_guest_cart(session: Session, visitor_id: str, user_id: int) -> list[str]:
    """On log-in, fold the guest's cart into the account's cart; commits.

    Quantities of the same variant add up, capped by stock (and by the per-line maximum) with a
    message for each cap; lines no longer sold are dropped with a message. The guest cart row is
    deleted, or simply handed to the account when the account has no cart yet. Returns the
    messages for the shopper (empty when nothing needed saying).
    """
    guest = find_cart(session, Owner(visitor_id=visitor_id))
    if guest is None:
        return []
    account = find_cart(session, Owner(visitor_id=None, user_id=user_id))
    messages: list[str] = []
    if account is None:
        guest.visitor_id, guest.user_id = None, user_id
        account, lines = guest, []
        for item in list(guest.items):
            messages.extend(_fit_line(guest, item, item.quantity))
    else:
        lines = [(item.variant, item.quantity) for item in guest.items]
        session.delete(guest)
        session.flush()  # free the visitor's unique slot and the guest lines first
    by_variant = {item.variant_id: item for item in account.items}
    for variant, quantity in lines:
        item = by_variant.get(variant.id)
        if item is None:
            item = CartItem(variant=variant, quantity=quantity)
            account.items.append(item)
            by_variant[variant.id] = item
            messages.extend(_fit_line(account, item, quantity))
        else:
            messages.extend(_fit_line(account, item, item.quantity + quantity))
    _touch(account)
    session.commit()
    return messages


def _fit_line(cart: Cart, item: CartItem, wanted: int) -> list[str]:
    """Set a merged line to ``wanted`` or as many as can be had; say so when capped."""
    variant = item.variant
    if not variant.product.active:
        cart.items.remove(item)
        return [f"{variant.product.name} is no longer sold and was removed from your cart."]
    limit = min(variant.stock, MAX_QUANTITY)
    if limit <= 0:
        cart.items.remove(item)
        return [f"{describe(variant)} is sold out and was removed from your cart."]
    if wanted > limit:
        item.quantity = limit
        return [
            (
                f"Your cart now has {limit} of {describe(variant)} (you had {wanted} in total, "
                f"but only {limit} can be ordered)."
            )
        ]
    item.quantity = wanted
    return []


def delete_lines(session: Session, cart_id: int, item_quantities: dict[int, int]) -> bool:
    """Delete exactly these lines at these quantities; False when the cart changed meanwhile.

    Used inside the checkout transaction (does not commit).
    """
    for item_id, quantity in item_quantities.items():
        result = session.execute(
            delete(CartItem)
            .where(
                CartItem.id == item_id, CartItem.cart_id == cart_id, CartItem.quantity == quantity
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
    return True
