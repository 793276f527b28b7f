"""Every exercise of the corpus (Shapley in test_check): three typical wrong answers are rejected
with the misconception the catalogue names, and three rewritings of the right answer are accepted.

The answers are written as a student would write them from the exercise sheets (other algebraic forms,
LaTeX), not copied from the engine: a wrong engine answer or a catalogue row that no longer matches the
student's mistake makes these tests fail.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from symxai.grade.check import check_task
from symxai.cli import main
from symxai.specs.spec import load_sheet

EX10 = "problems/eth-riai-ex10.yaml"
SHEET11 = "problems/tub-ml-sheet11.yaml"
SHEET14 = "problems/tub-ml-sheet14.yaml"
L14 = "problems/tub-ml1-lecture14.yaml"
YALE = "problems/yale-hw1.yaml"


def vec(first, rest, n=100):
    """(first, rest, ..., rest): the attacked point of the robust-features exercise, d = 100."""
    return "(" + ", ".join([first] + [rest] * n) + ")"


def latex_vector(*entries):
    return r"\left(" + ", ".join(entries) + r"\right)"


R = "sqrt((x1 - mu1)^2 + (x2 - mu2)^2 + (x3 - mu3)^2)"  # ||x - mu|| for taylor-rbf
S = "(1 + exp(1) + exp(2))"  # the softmax normaliser of the GradCAM instance, e^2 + e + 1
SOFT = "y1*(1 - y1)".replace("y1", f"exp(2)/{S}")

# (file, target, three rewritings of the right answers, three wrong answer sets with the label expected
#  first for every wrong answer among them)
CASES = [
    (SHEET11, "activation-maximization.a",
     [{"x_star": "w/(2*lambda)"}, {"x_star": r"\frac{1}{2\lambda} w"}, {"x_star": "0.5*lambda^-1*w"}],
     [({"x_star": "w/lambda"}, "penalty-factor"),
      ({"x_star": "-w/(2*lambda)"}, "minimiser"),
      ({"x_star": "w/(2*lambda^2)"}, "penalty-squared")]),
    (SHEET11, "activation-maximization.b",
     [{"x_star": "mu + Sigma*w"}, {"x_star": r"\Sigma w + \mu"}, {"x_star": "Sigma*(w + inv(Sigma)*mu)"}],
     [({"x_star": "inv(Sigma)*w + mu"}, "inverse-covariance"),
      ({"x_star": "Sigma*w"}, "missing-mean"),
      ({"x_star": "mu - Sigma*w"}, "minimiser")]),
    (SHEET11, "activation-maximization.c",
     [{"z_star": "A.T*w/(2*lambda)", "x_star": "c + A*A.T*w/(2*lambda)"},
      {"z_star": r"\frac{A^T w}{2\lambda}", "x_star": r"A \frac{A^T w}{2 \lambda} + c"},
      {"z_star": "(w.T*A).T/(2*lambda)", "x_star": "A*(A.T*w)/(lambda*2) + c"}],
     [({"x_star": "A*A.T*w/(2*lambda)"}, "generator-offset"),
      ({"z_star": "A.T*w/lambda", "x_star": "c + A*A.T*w/lambda"}, "penalty-factor"),
      ({"x_star": "w/(2*lambda)"}, "no-generator")]),
    (SHEET11, "neuralization.a",
     [{"h_1": "norm(x - u1)^2 - log(alpha1)/gamma", "h_2": "norm(u2 - x)^2 + log(1/alpha2)/gamma"},
      {"h_3": r"\|x - u_3\|^2 - \frac{\log \alpha_3}{\gamma}",
       "h_1": r"\frac{\gamma \|x - u_1\|^2 - \ln\alpha_1}{\gamma}"},
      {"o": "-log(alpha1*exp(-gamma*norm(x - u1)^2) + alpha2*exp(-gamma*norm(x - u2)^2)"
            " + alpha3*exp(-gamma*norm(x - u3)^2))/gamma"}],
     [({"h_1": "norm(x - u1)^2 + log(alpha1)/gamma"}, "bias-sign"),
      ({"h_2": "norm(x - u2)^2 - log(alpha2)"}, "bias-without-gamma"),
      ({"h_3": "norm(x - u3) - log(alpha3)/gamma"}, "norm-not-squared")]),
    (SHEET11, "neuralization.b",
     [{"o": "min(h_1, h_2, h_3)"}, {"o": r"\min(h_3, h_1, h_2)"}, {"o": "-max(-h_1, -h_2, -h_3)"}],
     [({"o": "max(h_1, h_2, h_3)"}, "max-pooling"),
      ({"o": "h_1 + h_2 + h_3"}, "sum-pooling"),
      ({"o": "(h_1 + h_2 + h_3)/3"}, "mean-pooling")]),
    (SHEET14, "prototypes",
     [{"x_star": "Sigma*w + mu"}, {"x_star": r"\mu + \Sigma w"}, {"x_star": "Sigma*(2*w)/2 + mu"}],
     [({"x_star": "Sigma^-1*w + mu"}, "inverse-covariance"),
      ({"x_star": "mu + Sigma*w/2"}, "half-quadratic"),
      ({"x_star": "Sigma*w"}, "missing-mean")]),
    (SHEET14, "taylor-rbf",
     [{"x_tilde": f"(mu1 + theta*(x1 - mu1)/{R}, mu2 + theta*(x2 - mu2)/{R}, mu3 + theta*(x3 - mu3)/{R})",
       "phi_1": f"(x1 - mu1)^2/((x1 - mu1)^2 + (x2 - mu2)^2 + (x3 - mu3)^2)*({R} - theta)"},
      {"phi_2": r"\frac{(x_2 - \mu_2)^2}{(x_1 - \mu_1)^2 + (x_2 - \mu_2)^2 + (x_3 - \mu_3)^2}"
                r"\left(\sqrt{(x_1 - \mu_1)^2 + (x_2 - \mu_2)^2 + (x_3 - \mu_3)^2} - \theta\right)"},
      {"phi_3": f"(x3 - mu3)^2/{R} - theta*(x3 - mu3)^2/{R}^2",
       "x_tilde": f"(1 - theta/{R})*(mu1, mu2, mu3) + theta/{R}*(x1, x2, x3)"}],
     [({"x_tilde": "(mu1, mu2, mu3)"}, "root-is-reference"),
      ({"x_tilde": "(x1, x2, x3)"}, "root-is-point"),
      ({"phi_1": f"(x1 - mu1)^2/{R}"}, "difference-to-reference")]),
    (L14, "am-linear",
     [{"x_star": r"\frac{w}{2\lambda}"}, {"x_star": "w/(2*lambda)"}, {"x_star": r"w \cdot (2 \lambda)^{-1}"}],
     [({"x_star": "w/lambda"}, "penalty-factor"),
      ({"x_star": "-w/(2*lambda)"}, "minimiser"),
      ({"x_star": "w/(lambda*2*lambda)"}, "penalty-squared")]),
    (L14, "am-max",
     [{"x_star": "{(1/(2*lambda), 0), (0, 1/(2*lambda))}"},
      {"x_star": r"\{(0, \frac{1}{2\lambda}), (\frac{1}{2\lambda}, 0)\}"},
      {"x_star": "{[0, 0.5/lambda], [lambda^-1/2, 0]}"}],
     [({"x_star": "(1/(2*lambda), 0)"}, "one-maximiser"),
      ({"x_star": "(1/(4*lambda), 1/(4*lambda))"}, "tie-point"),
      ({"x_star": "{(1/lambda, 0), (0, 1/lambda)}"}, "penalty-factor")]),
    (L14, "am-probability",
     [{"const": "log(p_c)", "x_star": "mu"}, {"const": r"\ln p_c", "x_star": r"\mu"},
      {"const": "-log(1/p_c)", "x_star": "Sigma*inv(Sigma)*mu"}],
     [({"const": "p_c"}, "no-log"),
      ({"const": "-log(p_c)"}, "bayes-sign"),
      ({"x_star": "Sigma*mu"}, "covariance-scaled")]),
    (L14, "taylor-linear",
     [{"phi_1": "w1*x1", "phi_2": "x2*w2", "phi_3": "w3*(x3 - 0)"},
      {"phi_1": r"w_1 x_1", "phi_2": r"x_2 \cdot w_2", "phi_3": r"\frac{2 w_3 x_3}{2}"},
      {"phi_1": "(w1*x1 + w2*x2) - w2*x2", "phi_2": "w2*x2", "phi_3": "x3*w3"}],
     [({"phi_1": "w1", "phi_2": "w2"}, "forgot-difference"),
      ({"phi_1": "w1*x1 + w2*x2 + w3*x3"}, "whole-prediction"),
      ({"phi_3": "-w3*x3"}, "sign")]),
    (L14, "taylor-saturation",
     [{"phi_1": "0", "phi_2": "0"}, {"phi_1": r"0 \cdot (2 - 0)", "phi_2": r"\frac{0}{2}"},
      {"phi_1": "(1 - 1)*2", "phi_2": "0.0"}],
     [({"phi_1": "2", "phi_2": "2"}, "gradient-at-root"),
      ({"phi_1": "1", "phi_2": "1"}, "shapley-values"),
      ({"phi_2": "2"}, "gradient-at-root")]),
    (L14, "kmeans-neuralization",
     [{"w_1": "(8, 0)", "b_1": "-16", "w_3": "[8, -8]", "b_3": "0", "R_h1": "8/(1 + exp(-8*beta))",
       "R_h3": "8*exp(-16*beta)/(exp(-8*beta) + exp(-16*beta))", "R_2": "4/(1 + exp(8*beta))"},
      {"w_1": latex_vector("8", "0"), "w_3": latex_vector(r"2 \cdot 4", "-8"),
       "R_h1": r"\frac{8}{1 + \exp(-8\beta)}",
       "R_1": r"\frac{8}{1 + \exp(-8\beta)} + \frac{4}{\exp(8\beta) + 1}", "R_2": r"\frac{4}{\exp(8 \beta) + 1}"},
      {"b_1": "0 - 16", "R_h1": "8 - 8/(exp(8*beta) + 1)", "R_h3": "8*(1 - 1/(1 + exp(-8*beta)))",
       "R_1": "8 - 4/(1 + exp(8*beta))"}],
     [({"w_1": "(-8, 0)", "w_3": "(-8, 8)", "b_1": "16"}, "weights-reversed"),
      ({"R_h1": "4", "R_h3": "4", "R_1": "6", "R_2": "2"}, "equal-split"),
      ({"w_1": "(4, 0)", "w_3": "(4, -4)"}, "half-neuron")]),
    (L14, "integrated-gradients",
     [{"IG_1": "7/3", "IG_2": "5/3"}, {"IG_1": r"\frac{14}{6}", "IG_2": r"1 + \frac{2}{3}"},
      {"IG_1": "2*(1/2 + 2/3)", "IG_2": "4 - 7/3"}],
     [({"IG_1": "7/6"}, "no-difference"),
      ({"IG_1": "4", "IG_2": "3"}, "gradient-at-input"),
      ({"IG_1": "3", "IG_2": "2"}, "relu-always-on")]),
    (L14, "smoothgrad",
     [{"SG_1": "5 + 3*sigma^2", "SG_2": "1"}, {"SG_1": r"3\sigma^{2} + 5", "SG_2": r"\frac{2}{2}"},
      {"SG_1": "3*(1 + sigma^2) + 2", "SG_2": "1.0"}],
     [({"SG_1": "5"}, "no-noise-term"),
      ({"SG_1": "5 + 3*sigma"}, "sigma-for-variance"),
      ({"SG_2": "2"}, "times-input")]),
    (L14, "gradient-x-input",
     [{"R_1": "3", "R_2": "0"}, {"R_1": r"3 \cdot 1", "R_2": r"1 \cdot (-1 + 1)"}, {"R_1": "6/2", "R_2": "1*0"}],
     [({"R_1": "1"}, "gradient-only"),
      ({"R_2": "2"}, "inner-sign-dropped"),
      ({"R_1": "3", "R_2": "3"}, "whole-prediction")]),
    (YALE, "gradcam.a",
     [{"dyc_dz": f"({SOFT}, -exp(2)/{S}^2, -exp(2)/{S}^2, {SOFT}, 0, -exp(3)/{S}^2, 0, exp(2)/{S}^2)"},
      {"dyc_dz": latex_vector(*[r"\frac{\exp(2)(1 + \exp(1))}{(1 + \exp(1) + \exp(2))^{2}}",
                                r"-\frac{\exp(2)}{(1 + \exp(1) + \exp(2))^{2}}",
                                r"-\frac{\exp(2)}{(1 + \exp(1) + \exp(2))^{2}}",
                                r"\frac{\exp(3) + \exp(2)}{(\exp(2) + \exp(1) + 1)^{2}}", "0",
                                r"-\frac{\exp(3)}{(1 + \exp(1) + \exp(2))^{2}}", "0",
                                r"\frac{\exp(2)}{(1 + \exp(1) + \exp(2))^{2}}"])},
      {"dyc_dz": f"exp(2)/{S}^2*(1 + exp(1), -1, -1, 1 + exp(1), 0, -exp(1), 0, 1)"}],
     [({"dyc_dz": "(1, 0, 0, 1, 0, 0, 0, 0)"}, "logit-gradient"),
      ({"dyc_dz": f"exp(2)/{S}*(1, 0, 0, 1, 0, 0, 0, 0)"}, "missing-sum"),
      ({"dyc_dz": f"{SOFT}*(1, 0, 0, 1, 0, 0, 0, 0)"}, "diagonal-only")]),
    (YALE, "gradcam.b",
     [{"alpha": "(2*exp(1)/(1 + exp(1)), (1 - exp(1))/(1 + exp(1)))", "L": "[[2*exp(1)/(1 + exp(1)), 0], [0, 2*exp(1)/(1 + exp(1))]]"},
      {"alpha": latex_vector(r"\frac{2\exp(1)}{1 + \exp(1)}", r"\frac{1 - \exp(1)}{1 + \exp(1)}"),
       "L": r"\left[\left[\frac{2\exp(1)}{\exp(1) + 1}, 0\right], \left[0, \frac{2\exp(1)}{\exp(1) + 1}\right]\right]"},
      {"alpha": "(2 - 2/(1 + exp(1)), 1 - 2*exp(1)/(1 + exp(1)))", "L": "2*exp(1)/(exp(1) + 1)*eye(2)"}],
     [({"L": "[[2*exp(1)/(1 + exp(1)), (1 - exp(1))/(1 + exp(1))], [(1 - exp(1))/(1 + exp(1)), 2*exp(1)/(1 + exp(1))]]"}, "no-relu"),
      ({"alpha": f"(2*exp(3)/{S}^2, exp(2)*(1 - exp(1))/{S}^2)"}, "not-normalised"),
      ({"alpha": "(1, 0)", "L": "eye(2)"}, "logit-gradient")]),
    (YALE, "gradcam.c",
     [{"L_t": "[[2*sqrt(exp(1))/(1 + sqrt(exp(1))), 2*exp(1/2)/(1 + exp(1/2))], [0, 0]]"},
      {"L_t": r"\left[\left[\frac{2\sqrt{\exp(1)}}{1 + \sqrt{\exp(1)}}, \frac{2 \exp(1/2)}{\exp(1/2) + 1}\right], "
              r"\left[0, 0\right]\right]"},
      {"L_t": "[[2/(1 + exp(-1/2)), 2 - 2/(1 + sqrt(exp(1)))], [0, 0]]"}],
     [({"L_t": "[[1, 1], [0, 0]]"}, "logit-gradient"),
      ({"L_t": "[[2*sqrt(exp(1))/(1 + sqrt(exp(1))), 1/2], [0, 1/2]]"}, "averaged-maps"),
      ({"L_t": "[[2*sqrt(exp(1))/(1 + sqrt(exp(1))), 2*sqrt(exp(1))/(1 + sqrt(exp(1)))], "
               "[(1 - sqrt(exp(1)))/(1 + sqrt(exp(1))), (1 - sqrt(exp(1)))/(1 + sqrt(exp(1)))]]"}, "no-relu")]),
    (YALE, "lime.b",
     [{"beta": "(X.T*W*X)^-1*X.T*W*y"}, {"beta": r"(X^T W X)^{-1} X^T W y"}, {"beta": "inv(X.T*W*X)*(W*X).T*y"}],
     [({"beta": "(X.T*X)^-1*X.T*y"}, "unweighted"),
      ({"beta": "inv(X.T*W*X)*X.T*y"}, "weight-once"),
      ({"beta": "inv(X.T*inv(W)*X)*X.T*inv(W)*y"}, "inverse-weights")]),
    (YALE, "lime.c",  # l0: the weighted least squares on the best support {1, 3}; l1: the lasso's KKT point
     [{"beta_l0": "(264/109, 0, 87/109)", "beta_l1": "(2.35, 0, 0.15)"},
      {"beta_l0": latex_vector(r"\frac{264}{109}", "0", r"\frac{87}{109}"), "beta_l1": r"(\frac{47}{20}, 0, \frac{3}{20})"},
      {"beta_l0": "(2 + 46/109, 0*1, 1 - 22/109)", "beta_l1": "(5/2 - 3/20, 0, 3/20)"}],
     [({"beta_l0": "(619/291, 0, 256/291)"}, "thresholded"),
      ({"beta_l0": "(619/291, 199/291, 256/291)", "beta_l1": "(619/291, 199/291, 256/291)"}, "no-budget"),
      ({"beta_l0": "(98/41, 0, 39/41)"}, "unweighted")]),
    (YALE, "lime.d",
     [{"beta_ridge": "(lambda*eye(n) + X.T*W*X)^-1*X.T*W*y"},
      {"beta_ridge": r"\left(X^T W X + \lambda \operatorname{eye}(n)\right)^{-1} X^T W y"},
      {"beta_ridge": "inv(X.T*W*X + lambda*eye(n))*(W*X).T*y"}],
     [({"beta_ridge": "(X.T*W*X)^-1*X.T*W*y"}, "no-penalty"),
      ({"beta_ridge": "(X.T*W*X - lambda*eye(n))^-1*X.T*W*y"}, "penalty-sign"),
      ({"beta_ridge": "(X.T*W*X + 2*lambda*eye(n))^-1*X.T*W*y"}, "penalty-factor")]),
    (EX10, "robust-features.accuracy",
     [{"acc_f1": "Phi(3)", "acc_f2": "399/400"},
      {"acc_f1": r"\Phi\left(\frac{3/\sqrt{d}}{1/\sqrt{d}}\right)", "acc_f2": r"\frac{399}{400}"},
      {"acc_f1": "1 - Phi(-3)", "acc_f2": "0.9975"}],
     [({"acc_f1": "Phi(3/sqrt(d))"}, "no-sqrt-d"),
      ({"acc_f1": "Phi(3*sqrt(d))"}, "std-as-variance"),
      ({"acc_f2": "399/400 + 1/800"}, "coin-flip")]),
    (EX10, "robust-features.adversarial",
     [{"exists_f1": "true", "exists_f2": "false", "x_adv_f1": vec("1", "-1/20")},
      {"exists_f1": "True", "x_adv_f1": latex_vector("1", *[r"\frac{1}{10} - \frac{3}{20}"] * 100)},
      {"exists_f2": "false", "x_adv_f1": vec("1 + 0", "-0.05")}],
     [({"exists_f1": "false"}, "average-robust"),
      ({"exists_f2": "true"}, "robust-fooled"),
      ({"x_adv_f1": vec("1", "1/10 + 3/20")}, "wrong-direction")]),
]


MIN_A_R2 = "a2^2*(a1 - a2)/((a1*(1 + gamma) - a2)*(a1*gamma + a2))"  # lrp-min A, a1 > a2, by hand

LRP_CASES = [
    (SHEET14, "lrp-max.A",
     [{"R_1": "Max(x1 - x2, 0)", "R_2": "x2"}, {"R_1": "x1 - x2 if x1 > x2 else 0", "R_3": "ReLU(x1 - x2)"},
      {"R_1": r"\max(x_1 - x_2, 0)", "R_4": "x_2"}],
     [({"R_1": "x1 if x1 > x2 else 0", "R_2": "0 if x1 > x2 else x2"}, "rule-lrp0"),
      ({"R_1": "x2", "R_2": "Max(x1 - x2, 0)"}, "other-answer"),
      ({"R_1": "x1 - x2"}, "region")]),
    (SHEET14, "lrp-max.B",
     [{"R_1": "x1", "R_2": "Max(x2 - x1, 0)"}, {"R_2": "x2 - x1 if x2 > x1 else 0", "R_3": "x1"},
      {"R_2": r"\max(0, x_2 - x_1)", "R_4": r"\max(x_2 - x_1, 0)"}],
     [({"R_1": "x1 if x1 >= x2 else 0", "R_2": "x2 if x2 > x1 else 0"}, "rule-lrp0"),
      ({"R_1": "Max(x2 - x1, 0)", "R_2": "x1"}, "other-answer"),
      ({"R_2": "x2 - x1"}, "region")]),
    (SHEET14, "lrp-max.C",
     [{"R_1": "x1 - x2/2 if x1 > x2 else x1/2", "R_2": "x2/2 if x1 > x2 else x2 - x1/2"},
      {"R_3": "(x1 + x2)/2", "R_4": "Max(x1 - x2, 0)/2", "R_5": "ReLU(x2 - x1)/2"},
      {"R_1": r"\begin{cases} x_1 - \frac{x_2}{2} & x_1 > x_2 \\ \frac{x_1}{2} & \text{otherwise} \end{cases}"}],
     [({"R_1": "x1 if x1 > x2 else 0", "R_2": "0 if x1 > x2 else x2"}, "rule-lrp0"),
      ({"R_1": "x2/2 if x1 > x2 else x2 - x1/2", "R_2": "x1 - x2/2 if x1 > x2 else x1/2"}, "other-answer"),
      ({"R_1": "x1 - x2/2"}, "region")]),
    (SHEET11, "lrp-min.A",
     [{"R_2": f"{MIN_A_R2} if a1 > a2 else 0", "R_h1": "a1*a2*(1 + gamma)/(gamma*a1 + a2) if a1 > a2 else a1"},
      {"R_h2": "-(a1 - a2)*a2/(a1*gamma + a2) if a1 > a2 else 0",
       "R_1": "a1*a2*(1 + gamma)/(gamma*a1 + a2) - a1*(1 + gamma)*(a1 - a2)*a2/((a1*(1 + gamma) - a2)*(a1*gamma + a2))"
              " if a1 > a2 else a1"},
      {"R_2": r"\begin{cases} \frac{a_2^2 (a_1 - a_2)}{(a_1 (1 + \gamma) - a_2)(\gamma a_1 + a_2)} & a_1 > a_2 \\ "
              r"0 & \text{otherwise} \end{cases}"}],
     [({"R_1": "0 if a1 > a2 else a1", "R_2": "a2 if a1 > a2 else 0"}, "rule-lrp0"),
      ({"R_1": "a2 if a1 > a2 else a1", "R_2": "0"}, "rule-z+"),
      ({"R_2": f"{MIN_A_R2} if a1 > a2 else a2"}, "region")]),
    (SHEET11, "lrp-min.B",
     [{"R_h1": "(a1 + a2)*(1 + gamma)*a2/((a1 + a2)*gamma + 2*a2) if a1 > a2 else "
               "(a1 + a2)*(1 + gamma)*a1/((a1 + a2)*gamma + 2*a1) if a1 + a2 > 0 else 0",
       "R_h2": "-(a1 - a2)*a2/((a1 + a2)*gamma + 2*a2) if a1 > a2 else 0"},
      {"R_h3": "0 if a1 >= a2 else -(a2 - a1)*a1/((a1 + a2)*gamma + 2*a1)"},
      {"R_h2": r"\begin{cases} \frac{a_2 (a_2 - a_1)}{\gamma (a_1 + a_2) + 2 a_2} & a_1 > a_2 \\ "
               r"0 & \text{otherwise} \end{cases}"}],
     [({"R_1": "0 if a1 > a2 else a1", "R_2": "a2 if a1 > a2 else 0"}, "rule-lrp0"),
      ({"R_1": "a1*Min(a1, a2)/(a1 + a2)", "R_2": "a2*Min(a1, a2)/(a1 + a2)"}, "rule-z+"),
      ({"R_h2": "-(a1 - a2)*a2/((a1 + a2)*gamma + 2*a2) if a1 > a2 else a1"}, "region")]),
    (L14, "lrp-two-layer",
     [{"R_3": "v3*ReLU(w13*x1 + w23*x2)", "R_4": "v4*max(0, x1*w14 + x2*w24)"},
      {"R_1": "x1*(" + " + ".join(f"w1{j}*v{j}*Heaviside(w1{j}*x1 + w2{j}*x2)" for j in (3, 4, 5, 6)) + ")"},
      {"R_5": r"v_5 \max(0, w_{15} x_1 + w_{25} x_2)",
       "R_2": " + ".join(f"x2*w2{j}*v{j}*Heaviside(x1*w1{j} + x2*w2{j})" for j in (6, 5, 4, 3))}],
     [({"R_3": "v3*(w13*x1 + w23*x2)"}, "relu-ignored"),
      ({"R_3": "v4*ReLU(w14*x1 + w24*x2)"}, "other-answer"),
      ({"R_4": "-v4*ReLU(w14*x1 + w24*x2)"}, "sign")]),
]
CASES += LRP_CASES

_SHEETS: dict = {}


def _task(path, target):
    if path not in _SHEETS:
        _SHEETS[path] = load_sheet(path)
    return _SHEETS[path].task(target)


@pytest.mark.parametrize("path,target,right,wrong", CASES, ids=[c[1] for c in CASES])
def test_rewritings_accepted_and_typical_mistakes_diagnosed(path, target, right, wrong):
    task = _task(path, target)
    for answers in right:
        report = check_task(task, answers, feedback=False)
        assert report.exit_code == 0, (answers, report.lines())
    for answers, label in wrong:
        report = check_task(task, answers)
        assert report.exit_code == 1, (answers, report.lines())
        bad = [v for v in report.verdicts if v.status == "wrong"]
        assert bad, report.lines()
        for v in bad:
            assert v.diagnoses and v.diagnoses[0].label == label, (answers, v.lines())


def test_every_exercise_with_answers_has_catalogue_cases():
    from tests.grade.test_check import CASES as SHAPLEY_CASES

    covered = {(p, t) for p, t, *_ in CASES + SHAPLEY_CASES}
    for path in (EX10, SHEET11, SHEET14, L14, YALE):
        if path not in _SHEETS:
            _SHEETS[path] = load_sheet(path)
        for task in _SHEETS[path].tasks:
            if task.answers:
                assert (path, task.key) in covered, f"{path} {task.key} has no catalogue cases"


def test_cli_names_the_misconception():
    runner = CliRunner()
    ok = runner.invoke(main, ["check", L14, "integrated-gradients", r"IG_1=\frac{14}{6}", "IG_2=5/3"])
    assert ok.exit_code == 0, ok.output
    wrong = runner.invoke(main, ["check", L14, "smoothgrad", "SG_1=5"])
    assert wrong.exit_code == 1 and "[no-noise-term]" in wrong.output and "sigma^2" in wrong.output
