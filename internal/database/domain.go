package database

import (
	"database/sql"
	"errors"

	capsule "github.com/usecapsule/capsule"
)

// DomainError turns a driver error into a domain error: an error that is
// already a *capsule.Error passes through, sql.ErrNoRows becomes notFound
// (when given), text the database refuses becomes a validation error, and
// anything else an internal error. The stores share it so the same driver
// failure reads the same to API clients whichever store met it.
func DomainError(err error, notFound *capsule.Error) error {
	var domain *capsule.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &domain):
		return err
	case errors.Is(err, sql.ErrNoRows) && notFound != nil:
		return notFound
	case IsInvalidText(err):
		return InvalidText()
	}
	return capsule.Internal(err)
}

// InvalidText is the validation error for text a column cannot hold.
func InvalidText() error {
	return capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "text values must be valid UTF-8 without NUL characters")
}
