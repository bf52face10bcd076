package applink

import (
	"errors"
	"fmt"
)

// Option configures one of the package's constructors: a [Service]
// ([NewService]) or a [RequestFactory] ([Link.RequestFactory]). Each With…
// function's doc comment says which one it configures. (The authorization
// flows of applink/authorize have options of their own.) An option given to another one is not
// ignored: that call returns an error naming the option and where it
// belongs. A nil Option does nothing.
type Option func(*optionSet)

// optionTarget is what an option configures.
type optionTarget int

const (
	forService optionTarget = iota + 1
	forFactory
)

// String names the function an option of t is given to.
func (t optionTarget) String() string {
	switch t {
	case forService:
		return "NewService (or config.WithServiceOptions)"
	case forFactory:
		return "Link.RequestFactory"
	}
	return "nothing"
}

// optionSet is what options are applied to: exactly one of its pointers is
// set, the one of the call the options were given to.
type optionSet struct {
	target  optionTarget
	service *Service
	factory *factoryOptions
	errs    []error
}

// misplaced records that the option named name, which configures belongs,
// was given to another call.
func (s *optionSet) misplaced(name string, belongs optionTarget) {
	s.errs = append(s.errs, fmt.Errorf("applink: %s configures %s, not %s: give it there", name, belongs, s.target))
}

// apply applies opts to s and returns an error for each option that does
// not configure s's target.
func (s *optionSet) apply(opts []Option) error {
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return errors.Join(s.errs...)
}

// serviceOption is an option of NewService named name.
func serviceOption(name string, f func(*Service)) Option {
	return func(s *optionSet) {
		if s.service == nil {
			s.misplaced(name, forService)
			return
		}
		f(s.service)
	}
}

// factoryOption is an option of Link.RequestFactory named name.
func factoryOption(name string, f func(*factoryOptions)) Option {
	return func(s *optionSet) {
		if s.factory == nil {
			s.misplaced(name, forFactory)
			return
		}
		f(s.factory)
	}
}
