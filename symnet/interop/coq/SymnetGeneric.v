(* SymnetGeneric.v -- the rules of symnet's dimension-generic certificates, for all sizes.

   A vector is a function nat -> R and a matrix a function nat -> nat -> R;
   sizes are natural numbers that are never fixed: [mv n A u] is the column
   i |-> sum_{k < n} A i k * u k, and [mm n A B] the product with inner size
   n.  A layer of fan-in n computes u |-> f (W u + b) entrywise; the block
   [[1, 0], [v, M]] acting on (1, u) is represented by its lower part, the
   affine map [aff n v M] : u |-> v + M u.

   Each rule of symnet.kernel.generic is one lemma below, proved for every
   size; a generated file states the steps of a generic certificate and proves
   each from its rule, then normalises both sides with [lin_solve]: it pushes
   every matrix-vector product inside sums and scalings (linearity, and
   (A B) u = A (B u)), then compares the two sides entrywise with [ring]. *)

From Coq Require Import Reals Lra FunctionalExtensionality.
Local Open Scope R_scope.

Definition vec := nat -> R.
Definition mat := nat -> nat -> R.

Fixpoint sum (n : nat) (f : nat -> R) : R :=
  match n with
  | O => 0
  | S n' => sum n' f + f n'
  end.

Definition mv (n : nat) (A : mat) (u : vec) : vec := fun i => sum n (fun k => A i k * u k).
Definition mm (n : nat) (A B : mat) : mat := fun i j => sum n (fun k => A i k * B k j).
Definition vadd (u v : vec) : vec := fun i => u i + v i.
Definition vscale (c : R) (u : vec) : vec := fun i => c * u i.
Definition madd (A B : mat) : mat := fun i j => A i j + B i j.
Definition mscale (c : R) (A : mat) : mat := fun i j => c * A i j.
Definition ones : vec := fun _ => 1.
Definition vzero : vec := fun _ => 0.
Definition mzero : mat := fun _ _ => 0.
Definition vmap (f : R -> R) (u : vec) : vec := fun i => f (u i).

Definition layer (n : nat) (W : mat) (b : vec) (f : R -> R) (u : vec) : vec := vmap f (vadd (mv n W u) b).
Definition aff (n : nat) (v : vec) (M : mat) (u : vec) : vec := vadd v (mv n M u).

(* ------------------------------------------------------------ sums *)
Lemma sum_plus : forall n f g, sum n (fun k => f k + g k) = sum n f + sum n g.
Proof. induction n as [|n IH]; intros f g; simpl; [ring | rewrite IH; ring]. Qed.

Lemma sum_scale : forall n c f, sum n (fun k => c * f k) = c * sum n f.
Proof. induction n as [|n IH]; intros c f; simpl; [ring | rewrite IH; ring]. Qed.

Lemma sum_zero : forall n, sum n (fun _ => 0) = 0.
Proof. induction n as [|n IH]; simpl; [reflexivity | rewrite IH; ring]. Qed.

Lemma sum_ext : forall n f g, (forall k, f k = g k) -> sum n f = sum n g.
Proof. intros n f g H. replace g with f; [reflexivity | apply functional_extensionality; exact H]. Qed.

Lemma sum_swap : forall n m (f : nat -> nat -> R),
  sum n (fun i => sum m (fun j => f i j)) = sum m (fun j => sum n (fun i => f i j)).
Proof.
  induction n as [|n IH]; intros m f; simpl.
  - symmetry. apply sum_zero.
  - rewrite IH. rewrite <- sum_plus. reflexivity.
Qed.

(* ------------------------------------------------------- linearity *)
Lemma mv_vadd : forall n A u v, mv n A (vadd u v) = vadd (mv n A u) (mv n A v).
Proof.
  intros. unfold mv, vadd. apply functional_extensionality. intros i.
  rewrite <- sum_plus. apply sum_ext. intros k. ring.
Qed.

Lemma mv_vscale : forall n A c u, mv n A (vscale c u) = vscale c (mv n A u).
Proof.
  intros. unfold mv, vscale. apply functional_extensionality. intros i.
  rewrite <- sum_scale. apply sum_ext. intros k. ring.
Qed.

Lemma mv_madd : forall n A B u, mv n (madd A B) u = vadd (mv n A u) (mv n B u).
Proof.
  intros. unfold mv, madd, vadd. apply functional_extensionality. intros i.
  rewrite <- sum_plus. apply sum_ext. intros k. ring.
Qed.

Lemma mv_mscale : forall n c A u, mv n (mscale c A) u = vscale c (mv n A u).
Proof.
  intros. unfold mv, mscale, vscale. apply functional_extensionality. intros i.
  rewrite <- sum_scale. apply sum_ext. intros k. ring.
Qed.

Lemma mv_vzero : forall n A, mv n A vzero = vzero.
Proof.
  intros. unfold mv, vzero. apply functional_extensionality. intros i.
  transitivity (sum n (fun _ => 0)); [apply sum_ext; intros k; ring | apply sum_zero].
Qed.

Lemma mv_mzero : forall n u, mv n mzero u = vzero.
Proof.
  intros. unfold mv, mzero, vzero. apply functional_extensionality. intros i.
  transitivity (sum n (fun _ => 0)); [apply sum_ext; intros k; ring | apply sum_zero].
Qed.

(* (A B) u = A (B u), for every inner size m and every size n of u. *)
Lemma mv_mm : forall n m A B u, mv n (mm m A B) u = mv m A (mv n B u).
Proof.
  intros. unfold mv, mm. apply functional_extensionality. intros i.
  transitivity (sum n (fun k => sum m (fun j => A i j * B j k * u k))).
  - apply sum_ext. intros k. cbv beta. rewrite Rmult_comm, <- sum_scale. apply sum_ext. intros j. ring.
  - rewrite sum_swap. apply sum_ext. intros j. cbv beta. rewrite <- sum_scale. apply sum_ext. intros k. ring.
Qed.

(* ---------------------------------------- the rules, for all sizes *)

(* read_output_layer:  W u + b = [b | W] (1, u). *)
Lemma rule_read_output_layer : forall m W b u, vadd (mv m W u) b = aff m b W u.
Proof. intros. unfold aff, vadd. apply functional_extensionality. intros i. ring. Qed.

(* substitute_layer:  (1, a (W u + b) + d 1) = [[1, 0], [a b + d 1, a W]] (1, u). *)
Lemma rule_substitute_layer : forall n W b f a d u, (forall t, f t = a * t + d) ->
  layer n W b f u = aff n (vadd (vscale a b) (vscale d ones)) (mscale a W) u.
Proof.
  intros n W b f a d u Hf. unfold layer, aff. rewrite mv_mscale.
  unfold vmap, vadd, vscale, ones. apply functional_extensionality. intros i. rewrite Hf. ring.
Qed.

(* multiply_augmented:  [[1, 0], [c, V]] [[1, 0], [v, M]] = [[1, 0], [c + V v, V M]]. *)
Lemma rule_multiply_augmented : forall n m c V v M u,
  aff m c V (aff n v M u) = aff n (vadd c (mv m V v)) (mm m V M) u.
Proof.
  intros. unfold aff. rewrite mv_vadd, mv_mm.
  unfold vadd. apply functional_extensionality. intros i. ring.
Qed.

(* apply_output_row:  [c | C] [[1, 0], [v, M]] = [c + C v | C M]. *)
Lemma rule_apply_output_row : forall n m c C v M u,
  aff m c C (aff n v M u) = aff n (vadd c (mv m C v)) (mm m C M) u.
Proof. intros. apply rule_multiply_augmented. Qed.

(* conclude_linear_form:  [c | C] (1, x) = C x + c. *)
Lemma rule_conclude_linear_form : forall n c C x, aff n c C x = vadd (mv n C x) c.
Proof. intros. unfold aff, vadd. apply functional_extensionality. intros i. ring. Qed.

(* Normalise two affine expressions and compare them entrywise. *)
Ltac lin_push :=
  repeat first
    [ rewrite mv_mm | rewrite mv_madd | rewrite mv_mscale | rewrite mv_vadd
    | rewrite mv_vscale | rewrite mv_mzero | rewrite mv_vzero ].
Ltac lin_solve :=
  unfold aff; lin_push; apply functional_extensionality; intros ?;
  unfold vadd, vscale, ones, vzero; cbv beta; ring.
