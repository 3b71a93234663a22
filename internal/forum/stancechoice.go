package forum

// StanceWithdraw is the reply form's stance value that takes back the author's counted
// stance in the thread (added beside the contract's helps, hinders and mixed).
const StanceWithdraw = "withdraw"

// StanceChoice is what a reply does to its author's counted stance in the thread: the
// zero value keeps it, Stance sets it, Withdraw takes it back. A withdrawing reply
// carries no stance of its own.
type StanceChoice struct {
	Stance   Stance
	Withdraw bool
}

// ParseStanceChoice accepts what ParseStance accepts, or StanceWithdraw.
func ParseStanceChoice(s string) (StanceChoice, error) {
	if s == StanceWithdraw {
		return StanceChoice{Withdraw: true}, nil
	}
	st, err := ParseStance(s)
	if err != nil {
		return StanceChoice{}, FieldErrorf("stance", EInvalid, "Stance must be helps, hinders, mixed or withdraw.").T("error.stance_choice")
	}
	return StanceChoice{Stance: st}, nil
}
