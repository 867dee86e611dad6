"""Frozen dataclasses to JSON and back, exactly: what a published report stores.

Decimals travel as strings (never floats), dates and datetimes as ISO text, tuples as lists.
`thaw(cls, freeze(obj)) == obj` for every report object.
"""

import dataclasses
import datetime as dt
import types
import typing
from decimal import Decimal
from typing import Any


def freeze(value: Any) -> Any:
    """A JSON-able copy of a dataclass tree."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: freeze(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [freeze(item) for item in value]
    if isinstance(value, dict):
        return {str(key): freeze(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"Cannot store {type(value).__name__} in a report snapshot")


def thaw[T](cls: type[T], data: Any) -> T:
    """Rebuild a dataclass tree of type `cls` from what `freeze` made."""
    thawed: T = _thaw(cls, data)
    return thawed


def _thaw(kind: Any, data: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if data is None:
            return None
        return _thaw(options[0], data)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        build: Any = kind
        return build(
            **{
                field.name: _thaw(hints[field.name], data[field.name])
                for field in dataclasses.fields(kind)
                if field.init and field.name in data
            }
        )
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_thaw(args[0], item) for item in data)
        return tuple(_thaw(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is list:
        (arg,) = typing.get_args(kind)
        return [_thaw(arg, item) for item in data]
    if origin is dict:
        _, arg = typing.get_args(kind)
        return {key: _thaw(arg, item) for key, item in data.items()}
    if kind is Decimal:
        return Decimal(data)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(data)
    if kind is dt.date:
        return dt.date.fromisoformat(data)
    if kind is Any:
        return data
    if isinstance(kind, type) and issubclass(kind, str | int | float | bool):
        return kind(data)
    raise TypeError(f"Cannot read {kind!r} from a report snapshot")
