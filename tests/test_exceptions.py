"""The exception tree: one module, one base, standard bases for bad input, pickling."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import re

import botocore.exceptions
import pytest

import boto_session_manager
from boto_session_manager import exceptions
from boto_session_manager.exceptions import (
    AccountAccessError,
    BotocoreCompatibilityError,
    BotoSessionManagerError,
    BotoSessionManagerWarning,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidPasswordPolicyError,
    NoCredentialsError,
    ParameterNotFoundError,
    SharingError,
)

CLASSES = [getattr(exceptions, name) for name in exceptions.__all__]


def package_modules() -> list[str]:
    path = boto_session_manager.__path__
    found = pkgutil.walk_packages(path, "boto_session_manager.")
    return [m.name for m in found if not m.name.endswith("__main__")]  # __main__ runs bsm


def test_every_exception_class_of_the_package_is_defined_in_exceptions() -> None:
    defined_elsewhere = []
    for name in package_modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            ours = value.__module__.startswith("boto_session_manager")
            if (
                issubclass(value, BaseException)
                and ours
                and value.__module__ != exceptions.__name__
            ):
                defined_elsewhere.append(f"{value.__module__}.{value.__name__}")
    assert defined_elsewhere == []


def test_all_lists_every_class_of_the_module() -> None:
    defined = {
        value  # a class, so a second name for it (an alias) counts once
        for value in vars(exceptions).values()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == exceptions.__name__
    }
    assert defined == set(CLASSES)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_is_under_the_base_error_or_the_base_warning(cls: type) -> None:
    assert issubclass(cls, (BotoSessionManagerError, BotoSessionManagerWarning))
    assert issubclass(BotoSessionManagerWarning, UserWarning)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_docstring_draws_every_class(cls: type) -> None:
    assert re.search(rf"(─ |^    ){cls.__name__}\b", exceptions.__doc__ or "", re.M)


def test_bad_input_is_a_value_error_and_a_wrong_type_also_a_type_error() -> None:
    error = InvalidArgumentTypeError("bucket must be a str", argument="bucket")
    assert isinstance(error, (ValueError, TypeError, InvalidArgumentError))
    assert error.argument == "bucket"
    for name in exceptions.__all__:
        if name.startswith("Invalid") and name != "InvalidCredentialsError":
            assert issubclass(getattr(exceptions, name), InvalidArgumentError), name


def test_there_is_one_no_credentials_error_and_botocore_code_catches_it() -> None:
    error = NoCredentialsError("no credentials: set AWS_PROFILE or pass keys")
    assert isinstance(error, botocore.exceptions.NoCredentialsError)
    assert isinstance(error, (BotoSessionManagerError, RuntimeError))
    assert str(error) == "no credentials: set AWS_PROFILE or pass keys"
    assert str(NoCredentialsError()) == "Unable to locate credentials"
    with pytest.raises(botocore.exceptions.BotoCoreError):
        raise error


@pytest.mark.parametrize(
    "error",
    [
        NoCredentialsError("none found"),
        InvalidArgumentError("limit must be >= 0", argument="limit"),
        InvalidPasswordPolicyError("too short", key="MinimumPasswordLength"),
        AccountAccessError("denied", account_id="111122223333", role_arn="arn:aws:iam::1:role/r"),
        ParameterNotFoundError(["/a", "/b"]),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_pickle_with_their_attributes(error: BotoSessionManagerError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_the_sharing_name_is_the_compatibility_error() -> None:
    from boto_session_manager import sharing

    assert sharing.SharingError is SharingError is BotocoreCompatibilityError


def test_library_input_errors_name_the_argument() -> None:
    from boto_session_manager.password import generate_password
    from boto_session_manager.services.s3 import list_objects

    with pytest.raises(InvalidArgumentError) as info:
        list_objects(object(), "")
    assert info.value.argument == "bucket"
    with pytest.raises(InvalidArgumentError) as info:
        generate_password(length="long")  # type: ignore[arg-type]
    assert info.value.argument == "length"
