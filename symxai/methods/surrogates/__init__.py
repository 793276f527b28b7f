"""Local surrogate models: LIME with a closed-form or data-fitted weighted regression."""
