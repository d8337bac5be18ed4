package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"dialoguesearch/failure"
)

// apiError is the body of every error answer: {"error": {...}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Param names the request parameter at fault, when there is one.
	Param string `json:"param,omitempty"`
}

type errorBody struct {
	Error apiError `json:"error"`
}

// statusOf is the one place that maps a failure kind to an HTTP status and
// an error code.
func statusOf(k failure.Kind) (int, string) {
	switch k {
	case failure.BadInput:
		return http.StatusBadRequest, "bad_request"
	case failure.NotFound:
		return http.StatusNotFound, "not_found"
	case failure.Forbidden:
		return http.StatusForbidden, "forbidden"
	case failure.TooLarge:
		return http.StatusRequestEntityTooLarge, "too_large"
	case failure.Unprocessable:
		return http.StatusUnprocessableEntity, "unprocessable"
	case failure.Unavailable:
		return http.StatusServiceUnavailable, "unavailable"
	case failure.Conflict:
		return http.StatusConflict, "conflict"
	default:
		return http.StatusInternalServerError, "internal"
	}
}

// httpCodes names the statuses echo and its middleware raise themselves.
var httpCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusServiceUnavailable:    "unavailable",
}

// unavailable is a 503 with a message for the client and a cause for the log.
func unavailable(msg string, cause error) error {
	return failure.Wrap(failure.Unavailable, cause, msg)
}

// toAPIError turns any error into a status and body. Messages of internal
// errors are never sent; the caller logs them.
func toAPIError(err error) (int, apiError) {
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		code, ok := httpCodes[he.Code]
		if !ok {
			if he.Code >= 500 {
				return http.StatusInternalServerError, internalError()
			}
			code = strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_"))
		}
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" {
			msg = m
		}
		switch he.Code {
		case http.StatusNotFound:
			msg = "no such route"
		case http.StatusTooManyRequests:
			if msg == middleware.ErrRateLimitExceeded.Message || msg == http.StatusText(he.Code) {
				msg = "rate limit exceeded; slow down and retry"
			}
		case http.StatusRequestEntityTooLarge:
			msg = "request body too large"
		}
		return he.Code, apiError{Code: code, Message: msg}
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, apiError{Code: "too_large",
			Message: fmt.Sprintf("request body too large; the limit is %d bytes", mbe.Limit)}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, apiError{Code: "timeout", Message: "the request took too long and was stopped"}
	}
	status, code := statusOf(failure.KindOf(err))
	if status == http.StatusInternalServerError {
		return status, internalError()
	}
	ae := apiError{Code: code, Message: failure.Message(err)}
	var fe *failure.Error
	if errors.As(err, &fe) && fe.Param != "" {
		ae.Param = fe.Param
		// The message always names the parameter at fault.
		if !strings.Contains(ae.Message, fe.Param) {
			ae.Message = fe.Param + ": " + ae.Message
		}
	}
	if ae.Message == "" {
		ae.Message = http.StatusText(status)
	}
	return status, ae
}

func internalError() apiError {
	return apiError{Code: "internal", Message: "internal error; the server log has the details"}
}

// handleError is echo's error handler: every error answer goes through it.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() == context.Canceled {
		return // the client went away: nobody to answer, the access log says so
	}
	status, ae := toAPIError(err)
	var fe *failure.Error
	switch {
	case status >= 500 && ae.Code != "unavailable" && ae.Code != "timeout":
		s.log.Error("request failed", "request_id", requestID(c), "method", method(c),
			"path", c.Request().URL.Path, "err", err)
	case ae.Code == "unavailable" && errors.As(err, &fe) && fe.Err != nil:
		// A cause behind a 503 (a full disk, say) is for the operator.
		s.log.Warn("request unavailable", "request_id", requestID(c), "method", method(c),
			"path", c.Request().URL.Path, "err", err)
	}
	switch status {
	case http.StatusTooManyRequests:
		c.Response().Header().Set("Retry-After", "1")
	case http.StatusServiceUnavailable:
		c.Response().Header().Set("Retry-After", "5")
	}
	if !strings.HasPrefix(c.Request().URL.Path, "/api/") && s.uiErrorPage(c, status, ae) {
		return
	}
	if err := c.JSON(status, errorBody{Error: ae}); err != nil {
		s.log.Warn("write error answer", "request_id", requestID(c), "err", err)
	}
}
